// Progressive help on the "ask a question" form. The form works fully without it.
// - shows the organisation fields only when "organisation" is chosen;
// - counts characters in the title and the question;
// - suggests already-answered questions while the title is typed (fails silently);
// - suggests the agency and topic while the title and question are typed (fails silently; the first agency is
//   preselected only when the model is confident and the asker has not chosen one);
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
    tooLarge: form.getAttribute("data-text-too-large") || "",
    routing: form.getAttribute("data-text-routing") || "",
    routingTopic: form.getAttribute("data-text-routing-topic") || "",
    routingChoose: form.getAttribute("data-text-routing-choose") || "",
    routingChosen: form.getAttribute("data-text-routing-chosen") || "",
    routingPreselected: form.getAttribute("data-text-routing-preselected") || ""
  };
  var maxFiles = parseInt(form.getAttribute("data-max-files"), 10) || 5;
  var maxMb = parseInt(form.getAttribute("data-max-mb"), 10) || 10;
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  // One JSON GET at a time per caller: `previous` (an AbortController or null) is aborted first. Returns
  // [promise of the parsed JSON, the new controller]; an HTTP error rejects.
  function getJson(address, previous) {
    if (previous) {
      previous.abort();
    }
    var next = window.AbortController ? new AbortController() : null;
    var promise = fetch(address, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      signal: next ? next.signal : undefined
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.json();
    });
    return [promise, next];
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

  // Agency and topic suggestion while typing the title and the question.
  (function () {
    var box = document.getElementById("routing-suggestions");
    var result = document.getElementById("routing-result");
    var titleInput = document.getElementById("id_title");
    var bodyInput = document.getElementById("id_body");
    var agencySelect = document.getElementById("id_agency");
    var topicSelect = document.getElementById("id_topic");
    if (!box || !result || !titleInput || !bodyInput || !agencySelect || !window.fetch) {
      return;
    }
    var routingUrl = box.getAttribute("data-url");
    var button = box.querySelector(".routing-button");
    var intro = box.querySelector(".routing-intro");
    if (button) {
      // Suggestions come as one types; the button is for pages without JavaScript. Removed, not hidden, so the
      // Enter key sends the form as before.
      button.parentNode.removeChild(button);
    }
    if (intro) {
      intro.hidden = true;
    }
    var chosenByHand = agencySelect.value !== "";
    var topicByHand = topicSelect && topicSelect.value !== "";
    var preselected = false;
    agencySelect.addEventListener("change", function () { chosenByHand = true; });
    if (topicSelect) {
      topicSelect.addEventListener("change", function () { topicByHand = true; });
    }
    var routingTimer = null;
    var routingController = null;
    var lastText = "";

    function choose(select, id) {
      if (select && select.querySelector('option[value="' + id + '"]')) {
        select.value = String(id);
        return true;
      }
      return false;
    }

    function render(data) {
      result.textContent = "";
      var agencies = (data && Array.isArray(data.agencies)) ? data.agencies : [];
      if (!agencies.length) {
        return;
      }
      var heading = el("p", "routing-title", t.routing);
      var list = el("ol", "routing-list");
      agencies.slice(0, 3).forEach(function (agency) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = agency.name + " (" + Math.round(agency.score * 100) + "%)";
        li.appendChild(name);
        var pick = document.createElement("button");
        pick.type = "button";
        pick.className = "button button-small routing-choose";
        var selected = agencySelect.value === String(agency.id);
        pick.textContent = selected ? t.routingChosen : t.routingChoose;
        pick.setAttribute("aria-pressed", selected ? "true" : "false");
        pick.setAttribute("aria-label", t.routingChoose + ": " + agency.name);
        pick.addEventListener("click", function () {
          if (choose(agencySelect, agency.id)) {
            chosenByHand = true;
            render(data);
          }
        });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(pick);
        list.appendChild(li);
      });
      result.appendChild(heading);
      result.appendChild(list);
      var topics = Array.isArray(data.topics) ? data.topics : [];
      if (topics.length) {
        var topic = document.createElement("p");
        topic.className = "routing-topic";
        topic.textContent = t.routingTopic + ": " + topics[0].name;
        result.appendChild(topic);
      }
      if (preselected) {
        var note = document.createElement("p");
        note.className = "hint";
        note.textContent = t.routingPreselected;
        result.appendChild(note);
      }
    }

    function routingLookup() {
      var titleText = titleInput.value.trim();
      // The URL stays short: the first 1,000 characters of the question are plenty to route it.
      var bodyText = bodyInput.value.trim().slice(0, 1000);
      var text = titleText + "\n" + bodyText;
      if (text === lastText) {
        return;
      }
      lastText = text;
      if ((titleText + " " + bodyText).split(/\s+/).filter(Boolean).length < 2) {
        result.textContent = "";
        return;
      }
      var request = getJson(
        routingUrl + "?title=" + encodeURIComponent(titleText) + "&body=" + encodeURIComponent(bodyText),
        routingController
      );
      routingController = request[1];
      request[0]
        .then(function (data) {
          var agencies = (data && Array.isArray(data.agencies)) ? data.agencies : [];
          if (data && data.confident && agencies.length && !chosenByHand) {
            preselected = choose(agencySelect, agencies[0].id) || preselected;
            if (!topicByHand && Array.isArray(data.topics) && data.topics.length) {
              choose(topicSelect, data.topics[0].id);
            }
          }
          render(data);
        })
        .catch(function () {
          // A convenience: on any error nothing is shown, and nothing typed is touched.
          result.textContent = "";
        });
    }

    function schedule() {
      window.clearTimeout(routingTimer);
      routingTimer = window.setTimeout(routingLookup, 600);
    }
    titleInput.addEventListener("input", schedule);
    bodyInput.addEventListener("input", schedule);
    if (titleInput.value || bodyInput.value) {
      schedule();
    }
  })();

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
    var heading = el("p", "similar-title", t.similar);
    var hint = el("p", "similar-hint", t.similarHint);
    var list = el("ul", "similar-list");
    items.slice(0, 5).forEach(function (item) {
      if (!item || !item.url || !item.title) {
        return;
      }
      var li = document.createElement("li");
      var link = document.createElement("a");
      // "from=ask": the answer page counts (per day and topic, nothing else) that the ask form led there.
      link.href = item.url + (item.url.indexOf("?") === -1 ? "?" : "&") + "from=ask";
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
    var request = getJson(url + "?q=" + encodeURIComponent(query), controller);
    controller = request[1];
    request[0]
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
