// Queue hotkeys: j/k move, a approves, r rejects (reason beside the action menu),
// o opens the review page. Everything here is also possible without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("changelist-form");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(document.querySelectorAll("#result_list tbody tr"));
  if (!rows.length) { return; }
  var current = -1;

  function select(i, quiet) {
    if (i < 0 || i >= rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("kb-current"); }
    current = i;
    rows[i].classList.add("kb-current");
    if (!quiet) { rows[i].scrollIntoView({block: "nearest"}); }
  }

  function act(name) {
    if (current < 0) { return; }
    var boxes = form.querySelectorAll("input.action-select");
    Array.prototype.forEach.call(boxes, function (b) { b.checked = false; });
    var box = rows[current].querySelector("input.action-select");
    var menu = form.querySelector("select[name=action]");
    if (!box || !menu) { return; }
    box.checked = true;
    menu.value = name;
    form.submit();
  }

  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === "j") { select(current + 1); }
    else if (e.key === "k") { select(current - 1); }
    else if (e.key === "a") { act("approve_comments"); }
    else if (e.key === "r") { act("reject_comments"); }
    else if (e.key === "o" && current >= 0) {
      var link = rows[current].querySelector("a.review-link");
      if (link) { window.location.href = link.href; }
    } else { return; }
    e.preventDefault();
  });
  select(0, true);
})();
