/* Parley's sign-in pop-up: hands the frame token to the frame that opened it (same
 * origin as this window, and only that origin), then closes. */
(function () {
  "use strict";
  var m = document.querySelector('meta[name="parley-frame"]');
  if (m && window.opener) {
    window.opener.postMessage({ type: "parley:login", token: m.getAttribute("content") }, location.origin);
    window.close();
  }
})();
