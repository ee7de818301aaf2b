/*
 * Conveniences of the staff panel; every page works without this file.
 * - Queue: j / k move between rows, Enter opens the current one, x ticks its box, / focuses the search.
 * - Buttons with data-confirm ask before submitting.
 * - Text fields with data-counter show how many characters are used.
 * - [data-redact] buttons replace the selected text of a textarea with a placeholder.
 */
(function () {
  "use strict";

  function typingIn(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  // Confirmation dialogs.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // Character counters.
  document.querySelectorAll("[data-counter]").forEach(function (field) {
    var max = parseInt(field.getAttribute("data-counter"), 10);
    if (!max) { return; }
    var counter = document.createElement("span");
    counter.className = "counter small muted";
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    function update() {
      var n = field.value.length;
      counter.textContent = n + " / " + max;
      counter.classList.toggle("counter-near", n > max * 0.9);
    }
    field.addEventListener("input", update);
    update();
  });

  // Redaction helper: replace the selection with a placeholder.
  document.querySelectorAll("[data-redact]").forEach(function (button) {
    var area = document.getElementById(button.getAttribute("data-redact"));
    if (!area) { return; }
    button.closest("[hidden]") && button.closest("[hidden]").removeAttribute("hidden");
    button.addEventListener("click", function () {
      var start = area.selectionStart, end = area.selectionEnd;
      if (start === end) { area.focus(); return; }
      var text = button.getAttribute("data-redact-text") || "[…]";
      area.setRangeText(text, start, end, "end");
      area.dispatchEvent(new Event("input"));
      area.focus();
    });
  });

  // Queue keyboard shortcuts.
  var rows = Array.prototype.slice.call(document.querySelectorAll(".queue-row"));
  var hint = document.querySelector(".keyboard-hint");
  if (hint && rows.length) { hint.hidden = false; }
  var current = -1;

  function select(index) {
    if (!rows.length) { return; }
    index = Math.max(0, Math.min(rows.length - 1, index));
    if (rows[current]) { rows[current].classList.remove("is-current"); }
    current = index;
    var row = rows[current];
    row.classList.add("is-current");
    var link = row.querySelector(".queue-link");
    if (link) { link.focus({ preventScroll: true }); }
    row.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) { return; }
    if (event.key === "/") {
      var search = document.querySelector("[data-shortcut='/']");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (!rows.length) { return; }
    if (event.key === "j") { event.preventDefault(); select(current + 1); }
    else if (event.key === "k") { event.preventDefault(); select(current < 0 ? 0 : current - 1); }
    else if (event.key === "Enter" && current >= 0 && document.activeElement === document.body) {
      window.location.href = rows[current].getAttribute("data-href");
    } else if (event.key === "x" && current >= 0) {
      var box = rows[current].querySelector("input[type=checkbox]");
      if (box) { event.preventDefault(); box.checked = !box.checked; }
    }
  });

  rows.forEach(function (row, index) {
    row.addEventListener("focusin", function () {
      if (rows[current]) { rows[current].classList.remove("is-current"); }
      current = index;
      row.classList.add("is-current");
    });
  });
})();
