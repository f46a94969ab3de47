/* Parley comment counts: fills every [data-parley-count] element of the page with
 * one request.
 *
 *   <a href="/story/1"><span data-parley-count="STORY-ID"></span> comments</a>
 *   <script src="https://COMMENTS-HOST/count.js" data-site="SITE" async></script>
 *
 * The answer comes from Parley's cache and is readable only by the site's origins
 * (CORS). No dependencies, no build step.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var parley = new URL(script.src).origin;
  var site = script.getAttribute("data-site") || "";
  var nodes = document.querySelectorAll("[data-parley-count]");
  var ids = [];
  Array.prototype.forEach.call(nodes, function (node) {
    var id = node.getAttribute("data-parley-count");
    if (id && ids.indexOf(id) < 0) ids.push(id);
  });
  if (!site || !ids.length) return;
  var url = parley + "/api/v1/counts?site=" + encodeURIComponent(site) +
    "&stories=" + ids.slice(0, 100).map(encodeURIComponent).join(",");
  fetch(url, { credentials: "omit" }).then(function (response) {
    return response.ok ? response.json() : null;
  }).then(function (answer) {
    if (!answer) return;
    Array.prototype.forEach.call(nodes, function (node) {
      var n = answer.counts[node.getAttribute("data-parley-count")];
      if (typeof n === "number") node.textContent = String(n);
    });
  }).catch(function () {});
})();
