/* Parley embed: put a story's comments on a newsroom's page.
 *
 *   <div id="parley-comments" data-site="…" data-story-id="…" data-story-url="…"
 *        data-story-title="…" data-sso-token="…"></div>
 *   <script src="https://COMMENTS-HOST/embed.js" async></script>
 *
 * Creates an iframe served by Parley and posts the attributes into it as a form (the
 * browser then tells Parley the page's origin, and the sign-on token stays out of
 * URLs). Messages are exchanged with Parley's exact origin only, both ways.
 * window.Parley.login(token) / window.Parley.logout() sign the reader in or out
 * without reloading the page. No dependencies, no build step.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.Parley) return;
  var parley = new URL(script.src).origin;
  var box = document.getElementById("parley-comments");
  if (!box) return;
  var d = box.dataset;
  var name = "parley-frame-" + Math.random().toString(36).slice(2);
  var frame = document.createElement("iframe");
  frame.name = name;
  frame.title = "Comments";
  frame.setAttribute("scrolling", "no");
  frame.style.cssText = "width:100%;height:200px;border:0;display:block;overflow:hidden";
  box.textContent = "";
  box.appendChild(frame);

  var match = /^#parley-c(\d+)$/.exec(location.hash);
  var fields = {
    site: d.site || "",
    story: d.storyId || "",
    url: d.storyUrl || location.href.split("#")[0],
    title: d.storyTitle || document.title,
    sso_token: d.ssoToken || "",
    comment: match ? match[1] : ""
  };
  var form = document.createElement("form");
  form.method = "POST";
  form.action = parley + "/embed/frame/";
  form.target = name;
  form.style.display = "none";
  Object.keys(fields).forEach(function (key) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = key;
    input.value = fields[key];
    form.appendChild(input);
  });
  box.appendChild(form);
  form.submit();
  box.removeChild(form);

  function send(message) {
    frame.contentWindow.postMessage(message, parley);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== parley || event.source !== frame.contentWindow) return;
    var m = event.data || {};
    if (m.type === "parley:height" && m.height > 0) {
      frame.style.height = Math.ceil(m.height) + "px";
    } else if (m.type === "parley:scroll") {
      var top = frame.getBoundingClientRect().top + window.pageYOffset + (m.top || 0);
      var inView = top >= window.pageYOffset && top < window.pageYOffset + window.innerHeight;
      if (!m.ifHidden || !inView) window.scrollTo(0, Math.max(0, top - 16));
    } else if (m.type === "parley:permalink" && /^\d+$/.test(String(m.id))) {
      history.replaceState(null, "", "#parley-c" + m.id);
    }
  });

  window.Parley = {
    login: function (token) { send({ type: "parley:sso", token: String(token || "") }); },
    logout: function () { send({ type: "parley:sso", token: "" }); }
  };
})();
