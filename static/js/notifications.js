// Live notifications for logged-in users: keeps the header bell's unread count current and
// adds new items to the list page as they arrive over /ws/notifications/. Without this script
// the bell shows the count of the last page load and the list works with plain links and forms.
(function () {
  "use strict";

  var bell = document.querySelector("[data-notifications-bell]");
  if (!bell || !("WebSocket" in window)) {
    return;
  }
  // The bell's badge, and the same count on the Menu button, where the bell is folded away on a phone.
  var badges = document.querySelectorAll("[data-unread-badge]");
  var list = document.querySelector("[data-notification-list]");
  var live = document.querySelector("[data-notifications-live]");
  var summaryCount = document.querySelector("[data-unread-count-text]");
  var delay = 1000;

  function setCount(n) {
    if (typeof n !== "number" || n < 0) {
      return;
    }
    Array.prototype.forEach.call(badges, function (badge) {
      var countEl = badge.querySelector("[data-unread-count]");
      if (countEl) {
        countEl.textContent = String(n);
      }
      badge.hidden = n === 0;
    });
    if (summaryCount) {
      summaryCount.textContent = String(n);
    }
  }

  function addItem(item) {
    if (!list || !item || list.querySelector('[data-notification-id="' + item.id + '"]')) {
      return;
    }
    var empty = list.querySelector("[data-empty]");
    if (empty) {
      empty.remove();
    }
    var card = document.createElement("article");
    card.className = "card notification is-unread";
    card.setAttribute("data-notification-id", String(item.id));
    var title = document.createElement("h2");
    title.className = "card-title";
    var link = document.createElement("a");
    var template = list.getAttribute("data-open-url-template");
    link.href = template ? template.replace("/0/", "/" + item.id + "/") : item.url;
    link.textContent = item.title; // text only: never HTML from the wire
    title.appendChild(link);
    var badgeNew = document.createElement("span");
    badgeNew.className = "badge badge-info";
    badgeNew.textContent = list.getAttribute("data-new-label") || "New";
    title.appendChild(document.createTextNode(" "));
    title.appendChild(badgeNew);
    card.appendChild(title);
    var meta = document.createElement("p");
    meta.className = "card-meta";
    var time = document.createElement("time");
    time.dateTime = item.created_at;
    time.textContent = new Date(item.created_at).toLocaleString(document.documentElement.lang || undefined);
    meta.appendChild(time);
    card.appendChild(meta);
    list.insertBefore(card, list.firstChild);
  }

  function announce(text) {
    if (live && text) {
      live.textContent = text;
    }
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.onopen = function () {
      delay = 1000;
    };
    socket.onmessage = function (event) {
      var data;
      try {
        data = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (data.type === "unread") {
        setCount(data.unread);
      } else if (data.type === "notification") {
        setCount(data.unread);
        addItem(data.notification);
        announce(data.notification && data.notification.title);
      }
    };
    socket.onclose = function (event) {
      if (event.code === 4401) {
        return; // logged out: nothing to reconnect to
      }
      // Back off up to a minute, so a restarting server is not hammered by every open tab.
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }

  connect();
})();
