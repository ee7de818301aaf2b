// Live notifications for logged-in users: keeps the header bell's unread count current and
// adds new items to the list page as they arrive over /ws/notifications/. Without this script
// the bell shows the count of the last page load and the list works with plain links and forms.
(function () {
  "use strict";

  // "11:14, 07/12/2026" in the portal's zone (Asia/Ho_Chi_Minh), as the server prints dates (config/dates.py).
  function portalDateTime(when) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: "Asia/Ho_Chi_Minh", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(when).forEach(function (part) { parts[part.type] = part.value; });
    return parts.hour + ":" + parts.minute + ", " + parts.day + "/" + parts.month + "/" + parts.year;
  }

  var bell = document.querySelector("[data-notifications-bell]");
  if (!bell || !("WebSocket" in window)) {
    return;
  }
  // The bell's badge, and the same count on the Menu button, where the bell is folded away on a phone.
  var badges = document.querySelectorAll("[data-unread-badge]");
  var list = document.querySelector("[data-notification-list]");
  var live = document.querySelector("[data-notifications-live]");
  var summaryCount = document.querySelector("[data-unread-count-text]");
  // Shown while the socket is down (server restarting, Redis unavailable); the list still works by reloading.
  var reconnecting = document.querySelector("[data-notifications-reconnecting]");
  var delay = 1000;
  var leaving = false;

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
    if (item.about) {
      var about = document.createElement("p");
      about.className = "notification-about";
      about.textContent = item.about;
      card.appendChild(about);
    }
    var meta = document.createElement("p");
    meta.className = "card-meta";
    var time = document.createElement("time");
    time.dateTime = item.created_at;
    time.textContent = portalDateTime(new Date(item.created_at));
    meta.appendChild(time);
    card.appendChild(meta);
    list.insertBefore(card, list.firstChild);
  }

  function announce(text) {
    if (live && text) {
      live.textContent = text;
    }
  }

  window.addEventListener("pagehide", function () {
    leaving = true;
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && leaving) {
      leaving = false;
      connect(); // back from the page cache: its socket was closed on the way out
    }
  });

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/notifications/");
    socket.onopen = function () {
      delay = 1000;
      if (reconnecting) {
        reconnecting.hidden = true;
      }
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
      if (event.code === 4401 || leaving) {
        return; // logged out: nothing to reconnect to; or the page is being left
      }
      if (reconnecting) {
        reconnecting.hidden = false;
      }
      // Back off up to a minute, so a restarting server is not hammered by every open tab.
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }

  connect();
})();
