/*
 * Live dialogue pages (watcher, moderator console, panelist view): the socket side.
 * Protocol: docs/live-protocol.md. No libraries.
 *
 * The server renders the page at a known event number (data-seq); this script says
 * hello with that number, applies every later event in seq order (each event carries
 * whole objects, so applying one twice is harmless; a "batch" frame is its events in
 * order), and on a lost connection
 * reconnects with exponential backoff and jitter, resuming from the last seq applied.
 * Forms marked data-ws are sent over the socket while it is up; otherwise they POST
 * as usual, so the page keeps working without the socket.
 */
(function () {
  "use strict";

  var root = document.getElementById("dlg-live");
  if (!root || !("WebSocket" in window) || !window.JSON) { return; }

  var view = root.getAttribute("data-view");
  var strings = JSON.parse(document.getElementById("dlg-strings").textContent);
  var storeKey = "dlg-seq-" + root.getAttribute("data-session");
  var lastSeq = parseInt(root.getAttribute("data-seq"), 10) || 0;
  var socket = null;
  var ready = false;
  var attempt = 0;
  var timer = null;
  var refs = 0;
  var waiting = {};
  var banner = byId("dlg-connection");
  // Stall watch: the server sends a frame at least every heartbeat (docs/live-protocol.md). After one
  // heartbeat of silence the page pings; after 2.5 heartbeats with nothing at all the connection is
  // taken as stalled (a dead Wi-Fi or a proxy that stopped forwarding never fires "close"): it shows
  // "reconnecting" and opens a new socket, resuming from the last seq applied.
  var heartbeatMs = (parseFloat(root.getAttribute("data-heartbeat")) || 15) * 1000;
  var lastHeard = 0;
  var stallTimer = null;

  function byId(id) { return document.getElementById(id); }

  function remember(seq) {
    lastSeq = seq;
    try { window.sessionStorage.setItem(storeKey, String(seq)); } catch (e) { /* private mode */ }
  }

  // --- Connection -------------------------------------------------------------------------

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + root.getAttribute("data-socket"));
    } catch (e) {
      socket = null;
      retry(0);
      return;
    }
    socket.onopen = function () { heard(); send({ type: "hello", last_seq: lastSeq }); };
    socket.onmessage = function (event) {
      heard();
      var message;
      try { message = JSON.parse(event.data); } catch (e) { return; }
      if (message.type === "batch") {
        // Several events written together (a burst): exactly as if they had come one by one, in order.
        var events = message.events || [];
        for (var i = 0; i < events.length; i++) { handle(events[i]); }
        return;
      }
      handle(message);
    };
    socket.onclose = function (event) {
      ready = false;
      socket = null;
      clearInterval(stallTimer);
      failWaiting();
      retry(event.code);
    };
    lastHeard = Date.now();
    clearInterval(stallTimer);
    stallTimer = setInterval(watchStall, Math.max(250, heartbeatMs / 4));
  }

  function heard() { lastHeard = Date.now(); pinged = false; }

  var pinged = false;
  function watchStall() {
    if (!socket) { clearInterval(stallTimer); return; }
    var silent = Date.now() - lastHeard;
    if (silent > heartbeatMs * 2.5) {
      // Stalled: drop this socket without waiting for a close handshake that will not come.
      var dead = socket;
      dead.onclose = null;
      dead.onmessage = null;
      socket = null;
      ready = false;
      clearInterval(stallTimer);
      try { dead.close(); } catch (e) { /* already closing */ }
      failWaiting();
      root.setAttribute("data-stalls", String((parseInt(root.getAttribute("data-stalls"), 10) || 0) + 1));
      retry(0);
    } else if (silent > heartbeatMs && !pinged && socket.readyState === 1) {
      pinged = true;
      send({ type: "ping" });
    }
  }

  function retry(code) {
    if (code === 4404) { return; } // the session no longer exists
    showBanner(navigator.onLine === false ? strings.offline : strings.reconnecting);
    var ceiling = Math.min(30000, 500 * Math.pow(2, attempt));
    attempt += 1;
    clearTimeout(timer);
    timer = setTimeout(connect, ceiling / 2 + Math.random() * ceiling / 2);
  }

  function showBanner(text) {
    if (!banner) { return; }
    banner.textContent = text;
    banner.hidden = false;
  }

  function send(message) {
    if (!socket || socket.readyState !== 1) { return false; }
    socket.send(JSON.stringify(message));
    return true;
  }

  window.addEventListener("online", function () {
    if (!socket) { clearTimeout(timer); attempt = 0; connect(); }
  });
  window.addEventListener("pagehide", function () { if (socket) { socket.onclose = null; socket.close(); socket = null; } });
  window.addEventListener("pageshow", function (event) { if (event.persisted && !socket) { connect(); } });

  // --- Incoming ---------------------------------------------------------------------------

  function handle(message) {
    switch (message.type) {
      case "snapshot": applySnapshot(message.data); remember(message.seq); return;
      case "moderation": applyModeration(message.data); return;
      case "ready":
        ready = true;
        attempt = 0;
        if (banner) { banner.hidden = true; }
        return;
      case "counts": applyCounts(message.data); return;
      case "status":
        // The socket is up but live events stopped on the server (its Redis is unavailable): say so until they
        // flow again; the server sends what was missed before it says live again.
        if (message.data && message.data.live === false) { showBanner(strings.reconnecting); }
        else if (ready && banner) { banner.hidden = true; }
        return;
      case "ack": case "error": settle(message); return;
      case "pong": return;
    }
    if (typeof message.seq !== "number") { return; }
    if (message.scope === "moderators") { applyModeratorEvent(message); return; }
    if (message.seq <= lastSeq) { return; }
    if (message.seq !== lastSeq + 1) {
      // A gap should never happen; reconnecting resumes from the last seq applied.
      if (socket) { socket.close(); }
      return;
    }
    applyEvent(message);
    remember(message.seq);
  }

  function applyEvent(event) {
    var data = event.data || {};
    switch (event.type) {
      case "session.status": case "session.questions": case "session.video":
        applySession(data.session, event.type === "session.status");
        break;
      case "question.approved": case "question.updated": case "question.answering":
      case "question.answered": case "question.forwarded":
        upsertQuestion(data.question);
        removeNode("pending-" + data.question.id);
        break;
      case "question.removed":
        removeNode("q-" + data.id);
        removeNode("pending-" + data.id);
        break;
      case "questions.reordered":
        reorder(data.order || []);
        break;
      case "announcement":
        addAnnouncement(data.announcement, true);
        break;
    }
    refreshEmpty();
  }

  function applyModeratorEvent(event) {
    if (view !== "console") { return; }
    var data = event.data || {};
    if (event.type === "question.submitted" || event.type === "question.updated") {
      upsertPending(data.question);
    } else if (event.type === "question.rejected") {
      removeNode("pending-" + data.question.id);
    } else if (event.type === "participant.muted") {
      var node = byId("pending-" + data.question_id);
      if (node) { node.querySelector(".dlg-p-muted").hidden = false; }
    }
    refreshEmpty();
  }

  // --- Building and filling items --------------------------------------------------------

  function fromTemplate(templateId, prefix, id) {
    var template = byId(templateId);
    var node = template.content.firstElementChild.cloneNode(true);
    node.id = prefix + id;
    node.setAttribute("data-id", id);
    Array.prototype.forEach.call(node.querySelectorAll("form"), function (form) {
      form.setAttribute("action", form.getAttribute("action").replace("/questions/0/", "/questions/" + id + "/"));
    });
    Array.prototype.forEach.call(node.querySelectorAll("[id$='-0']"), function (el) {
      el.id = el.id.replace(/-0$/, "-" + id);
    });
    Array.prototype.forEach.call(node.querySelectorAll("label[for$='-0']"), function (label) {
      label.setAttribute("for", label.getAttribute("for").replace(/-0$/, "-" + id));
    });
    return node;
  }

  function setText(node, selector, text) {
    var el = node.querySelector(selector);
    if (el) { el.textContent = text; }
  }

  function setValueUnlessEditing(node, selector, value) {
    var el = node.querySelector(selector);
    if (el && document.activeElement !== el) { el.value = value; }
  }

  function toggleAll(node, selector, hidden) {
    Array.prototype.forEach.call(node.querySelectorAll(selector), function (el) { el.hidden = hidden; });
  }

  function setVotes(node, votes) {
    var current = parseInt(node.getAttribute("data-votes"), 10) || 0;
    var value = Math.max(current, votes || 0);
    node.setAttribute("data-votes", String(value));
    Array.prototype.forEach.call(node.querySelectorAll(".dlg-q-votes"), function (el) { el.textContent = String(value); });
    setText(node, ".dlg-q-votes-static", value + " " + strings.votes);
  }

  function upsertQuestion(q) {
    var node = byId("q-" + q.id) || fromTemplate("dlg-tpl-question", "q-", q.id);
    node.setAttribute("data-status", q.status);
    node.setAttribute("data-position", String(q.position));
    node.className = "dlg-q dlg-q-" + q.status;
    setText(node, ".dlg-q-name", q.name || strings.guest);
    setText(node, ".dlg-q-badge", strings.question_status[q.status] || q.status);
    setText(node, ".dlg-q-text", q.text);
    setVotes(node, q.votes);
    var answer = node.querySelector(".dlg-q-answer");
    if (q.answer) {
      var by = q.answer.by ? q.answer.by.name + (q.answer.by.position ? ", " + q.answer.by.position : "") : strings.answer;
      setText(node, ".dlg-q-answer-by", by + (q.answer.kind === "summary" ? " · " + strings.summary : ""));
      setText(node, ".dlg-q-answer-text", q.answer.text);
      setValueUnlessEditing(node, "textarea[name='text'][id^='answer-']", q.answer.text);
    }
    answer.hidden = !q.answer;
    var forwarded = node.querySelector(".dlg-q-forwarded");
    if (forwarded) { forwarded.hidden = !q.forwarded; }
    var answered = q.status === "answered";
    toggleAll(node, ".dlg-vote-form", answered);
    toggleAll(node, ".dlg-q-votes-static", !answered);
    toggleAll(node, ".dlg-when-approved", q.status !== "approved" || q.forwarded);
    toggleAll(node, ".dlg-when-waiting", answered);
    setValueUnlessEditing(node, ".dlg-edit-text", q.text);
    place(node, q);
  }

  function place(node, q) {
    var list;
    if (q.status === "answering") {
      list = byId("dlg-now-list");
      if (node.parentNode !== list) { list.appendChild(node); }
      return;
    }
    if (q.status === "answered") {
      list = byId("dlg-answered");
      var at = q.answer && q.answer.at ? q.answer.at : "";
      node.setAttribute("data-answered-at", at);
      insertSorted(list, node, function (other) { return (other.getAttribute("data-answered-at") || "") < at; });
      return;
    }
    list = byId("dlg-waiting");
    insertSorted(list, node, function (other) {
      var position = parseInt(other.getAttribute("data-position"), 10) || 0;
      return position > q.position || (position === q.position && parseInt(other.getAttribute("data-id"), 10) > q.id);
    });
  }

  function insertSorted(list, node, goesBefore) {
    var before = null;
    for (var i = 0; i < list.children.length; i++) {
      var other = list.children[i];
      if (other !== node && goesBefore(other)) { before = other; break; }
    }
    // Moving a node that is already in place would drop the focus of a moderator typing in it.
    if (node.parentNode === list && (node.nextElementSibling === before || (before === null && !node.nextElementSibling))) {
      return;
    }
    list.insertBefore(node, before);
  }

  function reorder(order) {
    order.forEach(function (id, index) {
      var node = byId("q-" + id);
      if (node) { node.setAttribute("data-position", String(index + 1)); }
    });
    var list = byId("dlg-waiting");
    var nodes = Array.prototype.slice.call(list.children);
    nodes.sort(function (a, b) {
      return (parseInt(a.getAttribute("data-position"), 10) || 0) - (parseInt(b.getAttribute("data-position"), 10) || 0);
    });
    nodes.forEach(function (node, index) {
      if (list.children[index] !== node) { list.insertBefore(node, list.children[index] || null); }
    });
  }

  function removeNode(id) {
    var node = byId(id);
    if (node && node.parentNode) { node.parentNode.removeChild(node); }
  }

  function addAnnouncement(a, newestFirst) {
    var list = byId("dlg-announcements");
    if (!list || byId("announcement-" + a.id)) { return; }
    var node = fromTemplate("dlg-tpl-announcement", "announcement-", a.id);
    setText(node, ".dlg-announcement-text", a.text);
    var photo = node.querySelector(".dlg-announcement-photo");
    if (a.photo) {
      photo.src = a.photo;
      photo.alt = a.photo_alt || a.text;
      photo.hidden = false;
    } else {
      photo.parentNode.removeChild(photo);
    }
    var time = node.querySelector(".dlg-announcement-time");
    if (a.at) {
      var when = new Date(a.at);
      time.setAttribute("datetime", a.at);
      // The portal's time (Asia/Ho_Chi_Minh, as the server prints it), whatever zone the browser is in.
      time.textContent = new Intl.DateTimeFormat("en-GB", {
        timeZone: "Asia/Ho_Chi_Minh", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
      }).format(when);
    }
    list.insertBefore(node, newestFirst ? list.firstElementChild : null);
  }

  function upsertPending(q) {
    var list = byId("dlg-pending");
    if (!list) { return; }
    var node = byId("pending-" + q.id);
    if (!node) {
      node = fromTemplate("dlg-tpl-pending", "pending-", q.id);
      list.appendChild(node);
    }
    setText(node, ".dlg-p-name", q.original_name || strings.guest);
    setText(node, ".dlg-p-text", q.original_text);
    setText(node, ".dlg-p-public-text", q.text);
    node.querySelector(".dlg-p-public").hidden = q.text === q.original_text;
    node.querySelector(".dlg-p-guest").hidden = !q.guest;
    node.querySelector(".dlg-p-email").hidden = !q.has_email;
    node.querySelector(".dlg-p-muted").hidden = !q.muted;
    setValueUnlessEditing(node, ".dlg-edit-text", q.text);
  }

  function applySession(session, statusChanged) {
    if (!session) { return; }
    var badge = byId("dlg-status");
    if (badge) {
      badge.textContent = strings.session_status[session.status] || session.status;
      badge.className = "badge dlg-status dlg-status-" + session.status;
    }
    var box = byId("dlg-ask-box");
    var closed = byId("dlg-ask-closed");
    if (box && closed) {
      box.hidden = !session.questions_open;
      closed.hidden = session.questions_open;
      closed.textContent = session.status === "ended" || session.status === "transcript_published" ? strings.ended : strings.closed;
    }
    var openButton = byId("dlg-open-questions");
    var closeButton = byId("dlg-close-questions");
    if (openButton) { openButton.hidden = session.questions_open; }
    if (closeButton) { closeButton.hidden = !session.questions_open; }
    applyVideo(session.video);
    if (statusChanged && view === "console") {
      // The console's controls depend on the status: render them again from the server.
      window.location.reload();
    }
  }

  function applyVideo(video) {
    var section = byId("dlg-video");
    if (!section) { return; }
    var hls = byId("dlg-video-hls");
    var embed = byId("dlg-video-embed");
    section.hidden = !video;
    hls.hidden = !video || video.kind !== "hls";
    if (video && video.kind === "hls" && hls.getAttribute("src") !== video.url) { hls.setAttribute("src", video.url); }
    if (video && video.kind === "embed") {
      if (!embed) {
        // Created only when needed: a sandboxed frame of an allowed video platform (the server checked the address).
        embed = document.createElement("iframe");
        embed.id = "dlg-video-embed";
        embed.title = section.getAttribute("data-title");
        embed.setAttribute("sandbox", "allow-scripts allow-same-origin allow-presentation");
        embed.setAttribute("allow", "autoplay; fullscreen; picture-in-picture");
        embed.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
        section.appendChild(embed);
      }
      if (embed.getAttribute("src") !== video.url) { embed.setAttribute("src", video.url); }
    } else if (embed) {
      embed.parentNode.removeChild(embed);
    }
  }

  function applySnapshot(data) {
    ["dlg-now-list", "dlg-waiting", "dlg-answered", "dlg-announcements"].forEach(function (id) {
      var list = byId(id);
      while (list && list.firstChild) { list.removeChild(list.firstChild); }
    });
    (data.questions || []).forEach(upsertQuestion);
    (data.announcements || []).forEach(function (a) { addAnnouncement(a, true); });
    applySession(data.session, false);
    refreshEmpty();
  }

  function applyModeration(data) {
    var list = byId("dlg-pending");
    if (!list) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    (data.pending || []).forEach(upsertPending);
    refreshEmpty();
  }

  function applyCounts(data) {
    if (typeof data.viewers === "number" && byId("dlg-viewers")) {
      byId("dlg-viewers").textContent = String(data.viewers);
      byId("dlg-viewers-box").hidden = false;
    }
    Object.keys(data.votes || {}).forEach(function (id) {
      var node = byId("q-" + id);
      if (node) { setVotes(node, data.votes[id]); }
    });
  }

  function refreshEmpty() {
    var now = byId("dlg-now");
    if (now) { now.hidden = !byId("dlg-now-list").children.length; }
    [["dlg-waiting", "dlg-waiting-empty"], ["dlg-answered", "dlg-answered-empty"], ["dlg-pending", "dlg-pending-empty"]].forEach(function (pair) {
      var list = byId(pair[0]);
      var empty = byId(pair[1]);
      if (list && empty) { empty.hidden = list.children.length > 0; }
    });
    var count = byId("dlg-pending-count");
    if (count) { count.textContent = String(byId("dlg-pending").children.length); }
  }

  // --- Outgoing: forms over the socket ----------------------------------------------------

  function say(text, isError) {
    var result = byId("dlg-action-result");
    if (!result) { return; }
    result.textContent = text;
    result.className = "dlg-action-result" + (isError ? " error-text" : "");
  }

  function request(message, done) {
    refs += 1;
    message.ref = "r" + refs;
    if (!send(message)) { return false; }
    waiting[message.ref] = done;
    return true;
  }

  function settle(message) {
    var done = message.ref && waiting[message.ref];
    if (done) {
      delete waiting[message.ref];
      done(message);
    } else if (message.type === "error") {
      say(message.message, true);
    }
  }

  function failWaiting() {
    Object.keys(waiting).forEach(function (ref) {
      var done = waiting[ref];
      delete waiting[ref];
      done({ type: "error", code: "disconnected", message: strings.failed });
    });
  }

  function waitingOrder() {
    var ids = [];
    ["dlg-now-list", "dlg-waiting"].forEach(function (id) {
      Array.prototype.forEach.call(byId(id).children, function (node) { ids.push(parseInt(node.getAttribute("data-id"), 10)); });
    });
    return ids;
  }

  function messageFor(form, kind) {
    var item = form.closest("[data-id]");
    var id = item ? parseInt(item.getAttribute("data-id"), 10) : null;
    if (kind === "move_up" || kind === "move_down") {
      var order = waitingOrder();
      var index = order.indexOf(id);
      var other = index + (kind === "move_up" ? -1 : 1);
      if (index >= 0 && other >= 0 && other < order.length) {
        order[index] = order[other];
        order[other] = id;
      }
      return { type: "reorder", order: order };
    }
    var message = { type: kind };
    if (item && item !== root) { message.question = id; }
    ["text", "name", "email", "reason", "kind"].forEach(function (name) {
      if (form.elements[name] && form.elements[name].value !== "") { message[name] = form.elements[name].value; }
    });
    if (form.elements.panelist && form.elements.panelist.value) { message.panelist = parseInt(form.elements.panelist.value, 10); }
    return message;
  }

  function markVoted(form, votes) {
    var button = form.querySelector("button");
    button.disabled = true;
    button.setAttribute("aria-pressed", "true");
    setText(form, ".dlg-vote-label", strings.voted);
    var item = form.closest(".dlg-q");
    if (item && typeof votes === "number") { setVotes(item, votes); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var kind = form.getAttribute("data-ws");
    if (!kind || !ready || !root.contains(form)) { return; } // no socket: the form posts normally
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    var message = messageFor(form, kind);
    var sent = request(message, function (reply) {
      form.removeAttribute("aria-busy");
      if (kind === "vote") {
        if (reply.type === "ack") { markVoted(form, reply.data.votes); return; }
        if (reply.code === "already_voted") { markVoted(form); }
        say(reply.message, true);
        return;
      }
      if (kind === "ask") {
        var result = byId("dlg-ask-result");
        if (reply.type === "ack") {
          form.elements.text.value = "";
          result.textContent = strings.sent;
          result.className = "dlg-ask-result message message-success";
        } else {
          result.textContent = reply.message;
          result.className = "dlg-ask-result message message-error";
        }
        return;
      }
      if (reply.type === "ack") {
        say(strings.done, false);
        var details = form.closest("details");
        if (details) { details.open = false; }
      } else {
        say(reply.message, true);
      }
    });
    if (sent) {
      event.preventDefault();
      form.setAttribute("aria-busy", "true");
    }
  });

  refreshEmpty();
  connect();
}());
