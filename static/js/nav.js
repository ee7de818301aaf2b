// Collapses the main navigation behind a "Menu" button on narrow screens.
// Without JavaScript the links simply wrap under the portal name, so nothing is lost.
(function () {
  "use strict";
  var button = document.querySelector(".nav-toggle");
  var list = document.getElementById("main-nav-list");
  if (!button || !list) {
    return;
  }
  var header = button.closest(".site-header");
  header.classList.add("has-nav-toggle");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    header.classList.toggle("nav-open", !open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && header.classList.contains("nav-open")) {
      header.classList.remove("nav-open");
      button.setAttribute("aria-expanded", "false");
      button.focus();
    }
  });
})();
