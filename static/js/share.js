// "Copy link" in the share panel. Without JavaScript (or a clipboard) the button stays hidden and the
// page address stays in its read-only field, ready to select and copy.
(function () {
  "use strict";
  document.querySelectorAll(".js-copy-link").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var box = button.closest(".share-copy");
    var status = box ? box.querySelector(".share-copy-status") : null;
    if (!field) { return; }
    field.addEventListener("focus", function () { field.select(); });
    if (!navigator.clipboard || !window.isSecureContext) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { if (status) { status.textContent = button.getAttribute("data-copied"); } },
        function () {
          field.focus();
          field.select();
          if (status) { status.textContent = button.getAttribute("data-failed"); }
        }
      );
    });
  });
})();
