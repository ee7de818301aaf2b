// The "Print" button of answer and dialogue pages: hidden without JavaScript (the browser's own Print works).
(function () {
  "use strict";
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
