// Copy and print buttons on the receipt and tracking pages; they stay hidden without JavaScript.
(function () {
  "use strict";
  var status = document.getElementById("copy-status");
  document.querySelectorAll(".js-copy").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) {
      return;
    }
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      var done = function () {
        button.textContent = button.getAttribute("data-copied-text") || label;
        if (status) {
          status.textContent = button.textContent;
        }
        window.setTimeout(function () { button.textContent = label; }, 2500);
      };
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {});
      } else {
        try {
          document.execCommand("copy");
          done();
        } catch (e) {
          // The text stays selected: the user can copy it by hand.
        }
      }
    });
  });
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
