"""A small demo newsroom: another site, on another host name, embedding Parley.

`make run` serves it on http://localhost:8001/ while Parley answers on
http://127.0.0.1:8000/, so the browser treats them as two sites, as it would a
newsroom's domain and its comments host. It does what a newsroom's own back end
does: lists its stories with comment counts (count.js), and on each story page
embeds Parley with a sign-on token it signs for its signed-in reader (PyJWT, the
site's secret). A link signs the reader out, to show the anonymous view.

The stories and the secret are read from Parley's database for the demo only; a
real newsroom has its own CMS and keeps the secret in its own configuration.
"""

import html
import time
import uuid
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any

import jwt
from django.db import connections

from articles.models import Article
from sites.models import Site

READER = {"sub": "gazette-reader-1", "name": "Robin (Gazette reader)"}
# A story the newsroom has published but never sent to Parley: the embed creates it
# on first load (the site allows it).
UNSENT = {
    "external_id": "rg-1044",
    "title": "Riverside market reopens after the flood",
    "standfirst": "Traders are back under the old iron roof, three months on.",
    "body": "The market hall reopened on Saturday morning with forty stalls.\n\n"
    "Repairs cost less than feared, the council said, thanks to volunteers.",
}
SIGNED_OUT_COOKIE = "gazette_signed_out"

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · The Riverside Gazette</title>
<style>
  body {{ font-family: "Helvetica Neue", Arial, sans-serif; margin: 0; color: #222; }}
  header {{ background: #12372a; color: #fff; padding: 1rem 2rem; display: flex;
    justify-content: space-between; align-items: baseline; }}
  header a {{ color: #fff; }}
  header h1 {{ margin: 0; font-family: Georgia, serif; }}
  main {{ max-width: 44rem; margin: 0 auto; padding: 1rem 2rem 4rem; }}
  .story {{ border-bottom: 1px solid #ddd; padding: .75rem 0; }}
  .story h2 {{ margin: .2rem 0; font-family: Georgia, serif; }}
  .count {{ color: #12372a; font-size: .9rem; }}
  .standfirst {{ font-size: 1.2rem; color: #555; }}
</style>
</head>
<body>
<header><h1><a href="/">The Riverside Gazette</a></h1>
<div>{account}</div></header>
<main>{content}</main>
{scripts}
</body>
</html>
"""


def _stories(site: Site) -> list[dict[str, str]]:
    stories = [
        {
            "external_id": a.external_id,
            "title": a.title,
            "standfirst": a.standfirst,
            "body": a.body,
        }
        for a in Article.objects.filter(site=site).order_by("-published_at")
    ]
    if not any(s["external_id"] == UNSENT["external_id"] for s in stories):
        stories.append(UNSENT)
    return stories


def _token(site: Site) -> str:
    claims = {
        **READER,
        "email": "robin@gazette.example",
        "exp": int(time.time()) + 300,
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, site.sso_secret, algorithm="HS256")


def make_app(*, parley_url: str, site_slug: str = "gazette") -> Callable[..., Any]:
    """The newsroom as a WSGI application."""
    parley_url = parley_url.rstrip("/")

    def app_closing_connections(
        environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        # Outside Django's request cycle: close this thread's connection ourselves.
        try:
            return app(environ, start_response)
        finally:
            connections.close_all()

    def app(
        environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        cookies = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        signed_in = SIGNED_OUT_COOKIE not in cookies
        if path == "/favicon.ico":
            start_response("204 No Content", [])
            return [b""]
        if path in ("/sign-out", "/sign-in"):
            expires = "Max-Age=0" if path == "/sign-in" else "Max-Age=86400"
            start_response(
                "302 Found",
                [
                    ("Location", environ.get("HTTP_REFERER") or "/"),
                    ("Set-Cookie", f"{SIGNED_OUT_COOKIE}=1; Path=/; {expires}"),
                ],
            )
            return [b""]
        site = Site.objects.filter(slug=site_slug).first()
        if site is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"Run Parley's load_demo first: the demo site is missing."]
        stories = {s["external_id"]: s for s in _stories(site)}
        account = (
            f"Signed in as {html.escape(READER['name'])} · "
            '<a href="/sign-out">Sign out</a>'
            if signed_in
            else 'Not signed in · <a href="/sign-in">Sign in as the demo reader</a>'
        )
        if path == "/":
            items = "".join(
                f'<div class="story"><h2><a href="/stories/{html.escape(eid)}">'
                f"{html.escape(s['title'])}</a></h2><p>{html.escape(s['standfirst'])}"
                f'</p><span class="count"><span data-parley-count="{html.escape(eid)}">'
                "…</span> comments</span></div>"
                for eid, s in stories.items()
            )
            body = PAGE.format(
                title="Front page",
                account=account,
                content=f"<h2>Latest news</h2>{items}",
                scripts=f'<script src="{parley_url}/count.js" '
                f'data-site="{site.slug}" async></script>',
            )
        elif path.startswith("/stories/") and path[9:] in stories:
            eid = path[9:]
            story = stories[eid]
            host = environ.get("HTTP_HOST", "localhost:8001")
            token = _token(site) if signed_in else ""
            story_url = f"http://{host}/stories/{eid}"
            paragraphs = "".join(
                f"<p>{html.escape(p)}</p>" for p in story["body"].split("\n\n")
            )
            content = (
                f"<h2>{html.escape(story['title'])}</h2>"
                f'<p class="standfirst">{html.escape(story["standfirst"])}</p>'
                f"{paragraphs}<h3>Comments</h3>"
                f'<div id="parley-comments" data-site="{site.slug}" '
                f'data-story-id="{html.escape(eid)}" '
                f'data-story-url="{html.escape(story_url)}" '
                f'data-story-title="{html.escape(story["title"])}" '
                f'data-sso-token="{token}">'
                f'<noscript><a href="{parley_url}/s/{site.slug}/{html.escape(eid)}/">'
                "Read the comments on Parley</a></noscript></div>"
            )
            body = PAGE.format(
                title=html.escape(story["title"]),
                account=account,
                content=content,
                scripts=f'<script src="{parley_url}/embed.js" async></script>',
            )
        else:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"No such page."]
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body.encode()]

    return app_closing_connections
