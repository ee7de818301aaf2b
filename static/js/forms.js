// A field the server marked wrong loses its error as soon as the person has fixed it:
// red border, message and aria-invalid go when the value changes and the browser's own
// checks (type, pattern, required) pass. The server checks everything again on submit.
(function () {
  "use strict";
  function control(field) {
    return field.querySelector("input:not([type=hidden]), select, textarea");
  }
  function fixed(field, input, original) {
    if (input.type === "checkbox" || input.type === "radio") {
      return field.querySelector("input:checked") !== null;
    }
    var value = (input.value || "").trim();
    return value !== "" && value !== original && input.checkValidity();
  }
  document.querySelectorAll(".field.has-error").forEach(function (field) {
    var input = control(field);
    if (!input) {
      return;
    }
    var original = (input.value || "").trim();
    function check() {
      if (!fixed(field, input, original)) {
        return;
      }
      field.classList.remove("has-error");
      field.querySelectorAll(".error-text").forEach(function (note) { note.hidden = true; });
      field.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
      var id = input.id;
      var link = id && document.querySelector('.error-summary a[href="#' + id + '"]');
      if (link && link.parentNode) {
        link.parentNode.classList.add("error-fixed");
      }
      field.removeEventListener("input", check);
      field.removeEventListener("change", check);
    }
    field.addEventListener("input", check);
    field.addEventListener("change", check);
  });
})();
