// Queue hotkeys: j/k move, a approves, r rejects (reason beside the action menu),
// o opens the review page. a and r say what will happen in an undo bar and act
// only after a few seconds, so a slip of the finger is undone with u or Esc.
// The bulk-action bar shows only the fields the chosen action reads.
// Everything here is also possible without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("changelist-form");
  if (!form) { return; }
  var config = document.getElementById("queue-config");
  var UNDO_SECONDS = config ? parseInt(config.getAttribute("data-undo-seconds"), 10) || 5 : 5;

  // -- the bulk-action bar: only the fields the chosen action needs -----------
  var FIELDS = {};
  if (config && config.getAttribute("data-action-fields")) {
    try { FIELDS = JSON.parse(config.getAttribute("data-action-fields")); } catch (err) { FIELDS = {}; }
  }
  var menu = form.querySelector("select[name=action]");

  function fieldBox(name) {
    var input = form.querySelector(".actions [name=" + name + "]");
    return input ? (input.closest("label") || input) : null;
  }

  function showFields() {
    if (!menu) { return; }
    var wanted = FIELDS[menu.value] || [];
    var names = ["reason", "days", "custom_days", "reject_held", "note"];
    names.forEach(function (name) {
      var box = fieldBox(name);
      if (!box) { return; }
      var show = wanted.indexOf(name) >= 0;
      if (name === "custom_days") {
        var days = form.querySelector(".actions [name=days]");
        show = show && days && days.value === "custom";
      }
      // A style, not the hidden attribute: the admin's label styles override it.
      box.style.display = show ? "" : "none";
    });
  }
  if (menu) {
    menu.addEventListener("change", showFields);
    var days = form.querySelector(".actions [name=days]");
    if (days) { days.addEventListener("change", showFields); }
    showFields();
  }

  // -- keys and the undo bar ---------------------------------------------------
  var rows = Array.prototype.slice.call(document.querySelectorAll("#result_list tbody tr"));
  if (!rows.length) { return; }
  var current = -1;
  var pending = null;

  var bar = document.createElement("div");
  bar.id = "undo-bar";
  bar.setAttribute("role", "status");
  bar.setAttribute("aria-live", "assertive");
  bar.hidden = true;
  var text = document.createElement("span");
  var count = document.createElement("span");
  count.className = "undo-count";
  var undo = document.createElement("button");
  undo.type = "button";
  undo.textContent = "Undo (u)";
  bar.appendChild(text);
  bar.appendChild(count);
  bar.appendChild(undo);
  document.body.appendChild(bar);

  function select(i, quiet) {
    if (i < 0 || i >= rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("kb-current"); }
    current = i;
    rows[i].classList.add("kb-current");
    if (!quiet) { rows[i].scrollIntoView({block: "nearest"}); }
  }

  function commentId(row) {
    var box = row.querySelector("input.action-select");
    return box ? box.value : "?";
  }

  function describe(name, row) {
    var id = "Comment #" + commentId(row);
    if (name === "approve_comments") { return id + " will be approved (published)"; }
    var reason = form.querySelector(".actions [name=reason]");
    var label = reason && reason.selectedIndex >= 0 ? reason.options[reason.selectedIndex].text : "";
    return id + " will be rejected" + (label ? " as \u201c" + label + "\u201d" : "");
  }

  function submit(name, row) {
    var boxes = form.querySelectorAll("input.action-select");
    Array.prototype.forEach.call(boxes, function (b) { b.checked = false; });
    var box = row.querySelector("input.action-select");
    if (!box || !menu) { return; }
    box.checked = true;
    menu.value = name;
    form.submit();
  }

  function cancel() {
    if (!pending) { return; }
    window.clearInterval(pending.timer);
    pending.row.classList.remove("kb-pending");
    pending = null;
    bar.hidden = true;
    text.textContent = "";
  }

  function act(name) {
    if (current < 0) { return; }
    if (pending) {  // a second key press confirms the first action at once
      var earlier = pending;
      cancel();
      submit(earlier.name, earlier.row);
      return;
    }
    var row = rows[current];
    var left = UNDO_SECONDS;
    pending = {name: name, row: row, timer: 0};
    row.classList.add("kb-pending");
    text.textContent = describe(name, row);
    count.textContent = "in " + left + " s";
    bar.hidden = false;
    pending.timer = window.setInterval(function () {
      left -= 1;
      if (left > 0) { count.textContent = "in " + left + " s"; return; }
      var due = pending;
      cancel();
      if (due) { submit(due.name, due.row); }
    }, 1000);
  }

  undo.addEventListener("click", cancel);

  document.addEventListener("keydown", function (e) {
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    if (e.key === "j") { select(current + 1); }
    else if (e.key === "k") { select(current - 1); }
    else if (e.key === "a") { act("approve_comments"); }
    else if (e.key === "r") { act("reject_comments"); }
    else if (e.key === "u" || e.key === "Escape") { if (!pending) { return; } cancel(); }
    else if (e.key === "o" && current >= 0) {
      var link = rows[current].querySelector("a.review-link");
      if (link) { window.location.href = link.href; }
    } else { return; }
    e.preventDefault();
  });
  select(0, true);
})();
