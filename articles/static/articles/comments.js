/* Comment boxes and edit links: say what is happening. No inline script, so it runs
   under a strict Content-Security-Policy; without it, the server still refuses an
   over-long comment with a message and hides Edit once the window has closed. */
(function () {
  "use strict";

  function plural(n, one, many) {
    return n.toLocaleString("en-GB") + " " + (n === 1 ? one : many);
  }

  function counterFor(box) {
    var limit = parseInt(box.getAttribute("data-maxlength"), 10);
    if (!limit) return;
    var note = document.createElement("p");
    note.className = "char-count";
    note.id = box.id + "-count";
    note.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", note);
    var described = box.getAttribute("aria-describedby");
    box.setAttribute("aria-describedby", (described ? described + " " : "") + note.id);
    var form = box.form;
    var buttons = form ? form.querySelectorAll("button[type=submit]") : [];

    function update() {
      // Count as the server does: line breaks as one character, ends trimmed.
      var length = box.value.replace(/\r\n/g, "\n").trim().length;
      var left = limit - length;
      var over = left < 0;
      note.textContent = over
        ? plural(-left, "character", "characters") + " over the limit of " +
          limit.toLocaleString("en-GB") + ": please shorten your text."
        : plural(left, "character", "characters") + " left";
      note.classList.toggle("over", over);
      box.classList.toggle("over-limit", over);
      box.setAttribute("aria-invalid", over ? "true" : "false");
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = over;
    }
    box.addEventListener("input", update);
    if (form) {
      form.addEventListener("submit", function (event) {
        if (box.value.replace(/\r\n/g, "\n").trim().length > limit) {
          event.preventDefault();
          box.focus();
        }
      });
    }
    update();
  }

  function editCountdown(el) {
    var deadline = Date.parse(el.getAttribute("data-edit-deadline"));
    if (isNaN(deadline)) return;
    var label = el.querySelector(".edit-left");
    function tick() {
      var seconds = Math.floor((deadline - Date.now()) / 1000);
      if (seconds <= 0) {
        el.remove();
        return;
      }
      if (label) {
        label.textContent = (seconds < 60
          ? plural(seconds, "second", "seconds")
          : plural(Math.ceil(seconds / 60), "minute", "minutes")) + " left";
      }
      window.setTimeout(tick, seconds < 90 ? 1000 : 15000);
    }
    tick();
  }

  function start() {
    var boxes = document.querySelectorAll("textarea[data-maxlength]");
    for (var i = 0; i < boxes.length; i++) counterFor(boxes[i]);
    var edits = document.querySelectorAll("[data-edit-deadline]");
    for (var j = 0; j < edits.length; j++) editCountdown(edits[j]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
