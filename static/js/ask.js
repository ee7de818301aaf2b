// Progressive help on the "ask a question" form. The form works fully without it.
// - shows the organisation fields only when "organisation" is chosen;
// - counts characters in the title and the question;
// - suggests already-answered questions while the title is typed (fails silently);
// - moves focus to the error summary after a failed submission.
(function () {
  "use strict";
  var form = document.getElementById("ask-form");
  if (!form) {
    return;
  }
  // Texts come translated from the template (data-text-* on the form), so Django's i18n covers them.
  var t = {
    similar: form.getAttribute("data-text-similar") || "",
    similarHint: form.getAttribute("data-text-similar-hint") || "",
    count: form.getAttribute("data-text-count") || "{n}/{max}",
    tooMany: form.getAttribute("data-text-too-many") || "",
    tooLarge: form.getAttribute("data-text-too-large") || ""
  };
  var maxFiles = parseInt(form.getAttribute("data-max-files"), 10) || 5;
  var maxMb = parseInt(form.getAttribute("data-max-mb"), 10) || 10;
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  // Error summary first, so keyboard and screen-reader users hear what to fix.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  // Organisation fields.
  var orgFields = document.getElementById("org-fields");
  var orgHint = orgFields && orgFields.querySelector(".org-hint");
  var radios = form.querySelectorAll('input[name="asker_type"]');
  function syncAskerType() {
    var checked = form.querySelector('input[name="asker_type"]:checked');
    var isOrg = checked && checked.value === "organisation";
    // Never hide fields that carry an error message.
    var hasError = orgFields && orgFields.querySelector(".has-error");
    if (orgFields) {
      orgFields.hidden = !isOrg && !hasError;
    }
    if (orgHint) {
      orgHint.hidden = true;
    }
  }
  radios.forEach(function (radio) { radio.addEventListener("change", syncAskerType); });
  syncAskerType();

  // Character counters.
  form.querySelectorAll(".counter[data-counter-for]").forEach(function (counter) {
    var input = document.getElementById(counter.getAttribute("data-counter-for"));
    if (!input) {
      return;
    }
    var max = parseInt(input.getAttribute("data-counter"), 10) || parseInt(input.getAttribute("maxlength"), 10);
    function update() {
      var n = input.value.length;
      counter.textContent = fill(t.count, { n: n, max: max });
      counter.classList.toggle("counter-near", n > max * 0.9);
    }
    input.addEventListener("input", update);
    update();
  });

  // Attachment checks (the server checks again, this only saves a round trip).
  var fileInput = form.querySelector('input[type="file"][name="attachments"]');
  if (fileInput) {
    var fileNote = document.createElement("p");
    fileNote.className = "error-text";
    fileNote.id = "attachments-client-error";
    fileNote.setAttribute("role", "alert");
    fileNote.hidden = true;
    fileInput.parentNode.insertBefore(fileNote, fileInput);
    fileInput.addEventListener("change", function () {
      var problem = "";
      var files = Array.prototype.slice.call(fileInput.files || []);
      if (files.length > maxFiles) {
        problem = fill(t.tooMany, { max: maxFiles });
      }
      files.forEach(function (file) {
        if (!problem && file.size > maxMb * 1024 * 1024) {
          problem = fill(t.tooLarge, { name: file.name, size: maxMb });
        }
      });
      fileNote.textContent = problem;
      fileNote.hidden = !problem;
    });
  }

  // Similar questions while typing the title.
  var title = document.getElementById("id_title");
  var box = document.getElementById("similar-questions");
  if (!title || !box || !window.fetch) {
    return;
  }
  var url = box.getAttribute("data-url");
  var timer = null;
  var controller = null;
  var lastQuery = "";

  function clear() {
    box.textContent = "";
    box.classList.remove("similar-open");
  }

  function show(items) {
    clear();
    if (!items.length) {
      return;
    }
    var heading = document.createElement("p");
    heading.className = "similar-title";
    heading.textContent = t.similar;
    var hint = document.createElement("p");
    hint.className = "similar-hint";
    hint.textContent = t.similarHint;
    var list = document.createElement("ul");
    list.className = "similar-list";
    items.slice(0, 5).forEach(function (item) {
      if (!item || !item.url || !item.title) {
        return;
      }
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = item.title;
      li.appendChild(link);
      var meta = [item.agency, item.topic].filter(Boolean).join(" · ");
      if (meta) {
        var small = document.createElement("span");
        small.className = "similar-meta";
        small.textContent = meta;
        li.appendChild(small);
      }
      list.appendChild(li);
    });
    if (!list.children.length) {
      return;
    }
    box.appendChild(heading);
    box.appendChild(hint);
    box.appendChild(list);
    box.classList.add("similar-open");
  }

  function lookup() {
    var query = title.value.trim();
    if (query === lastQuery) {
      return;
    }
    lastQuery = query;
    if (query.length < 6) {
      clear();
      return;
    }
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    fetch(url + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        var items = Array.isArray(data) ? data : (data && Array.isArray(data.results) ? data.results : []);
        show(items);
      })
      .catch(function () {
        // Suggestions are a convenience: on any error, show nothing.
        clear();
      });
  }

  title.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookup, 400);
  });
})();
