/* Runs inside Parley's embed frame. Every link and form of the frame's pages is
 * followed with fetch(), sending the frame's token in the X-Parley-Frame header and
 * no cookie (credentials: "omit"), so the frame works with third-party cookies
 * blocked. Talks to the host page at its exact origin only, and accepts messages
 * only from that page (the host) or from Parley's own sign-in pop-up. */
(function () {
  "use strict";
  function meta(name) {
    var m = document.querySelector('meta[name="' + name + '"]');
    return m ? m.getAttribute("content") : "";
  }
  var token = meta("parley-frame");
  var host = meta("parley-host-origin");
  var current = new URL(meta("parley-current") || location.href, location.href).href;
  var popup = null;
  var embedded = window.parent !== window && host;

  function tell(message) {
    if (embedded) window.parent.postMessage(message, host);
  }
  function reportHeight() {
    tell({ type: "parley:height", height: document.documentElement.scrollHeight });
  }
  if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.body);
  window.addEventListener("load", function () {
    reportHeight();
    var anchor = anchorOf(current);
    if (anchor) reveal(anchor, true);
  });
  reportHeight();

  function reveal(hash, always) {
    var target = hash && document.getElementById(hash.slice(1));
    var top = target ? target.getBoundingClientRect().top + window.pageYOffset : 0;
    tell({ type: "parley:scroll", top: top, ifHidden: !target && !always });
    var id = /^#c(\d+)$/.exec(hash || "");
    if (id) tell({ type: "parley:permalink", id: id[1] });
  }

  // A comment's permalink page (/comments/12/) points at the comment itself.
  function anchorOf(url) {
    var u = new URL(url);
    var permalink = /\/comments\/(\d+)\/$/.exec(u.pathname);
    return u.hash || (permalink ? "#c" + permalink[1] : "");
  }

  function show(html, url) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    document.body.innerHTML = doc.body.innerHTML;
    document.title = doc.title;
    current = url;
    reportHeight();
    reveal(anchorOf(url), false);
  }

  function failed() {
    var p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = "Parley could not be reached. Check your connection and try again.";
    document.body.insertBefore(p, document.body.firstChild);
    reportHeight();
  }

  function go(url, init) {
    init = init || {};
    init.credentials = "omit";
    init.headers = { "X-Parley-Frame": token };
    var hash = new URL(url).hash;
    return fetch(url, init).then(function (response) {
      var next = response.headers.get("X-Parley-Location");
      if (next) {
        var target = new URL(next, url);
        // The token goes to Parley only; anything else opens outside the frame.
        if (target.origin !== location.origin) return void window.open(target.href, "_blank", "noopener");
        return go(target.href);
      }
      return response.text().then(function (html) {
        show(html, response.url + hash);
      });
    }).catch(failed);
  }

  function resolve(attr) {
    return new URL(attr || "", current);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey) return;
    var url = resolve(link.getAttribute("href"));
    if (url.origin !== location.origin) {
      link.target = "_blank";
      link.rel = "noopener";
      return;
    }
    event.preventDefault();
    if (link.hasAttribute("data-parley-popup")) {
      popup = window.open(url.href, "parley-sign-in", "width=480,height=640");
      return;
    }
    var here = new URL(current);
    if (url.hash && url.pathname === here.pathname && url.search === here.search) {
      reveal(url.hash, true);
      return;
    }
    go(url.href);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var url = resolve(form.getAttribute("action") || current.split("#")[0]);
    if (url.origin !== location.origin) return;
    event.preventDefault();
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) data.append(event.submitter.name, event.submitter.value);
    if ((form.getAttribute("method") || "get").toLowerCase() === "post") {
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = true; });
      go(url.href, { method: "POST", body: data });
    } else {
      url.search = new URLSearchParams(data).toString();
      go(url.href);
    }
  });

  function signIn(sso) {
    var body = new FormData();
    body.append("sso_token", sso);
    fetch("/embed/session/", {
      method: "POST", body: body, credentials: "omit", headers: { "X-Parley-Frame": token }
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (answer.frame_token) token = answer.frame_token;
        return go(current).then(function () {
          if (answer.error) {
            var p = document.createElement("p");
            p.className = "error";
            p.id = "frame-notice";
            p.setAttribute("role", "alert");
            p.textContent = "You are not signed in: " + answer.error;
            document.body.insertBefore(p, document.body.firstChild);
            reportHeight();
          }
        });
      });
    }).catch(failed);
  }

  window.addEventListener("message", function (event) {
    var m = event.data || {};
    if (embedded && event.source === window.parent && event.origin === host && m.type === "parley:sso") {
      signIn(String(m.token || ""));
    } else if (popup && event.origin === location.origin && m.type === "parley:login") {
      // Only Parley's own pages have this origin: the pop-up this frame opened.
      token = String(m.token);
      go(current);
    }
  });
})();
