// The notification bell: refresh the unread count every 30 seconds without reloading the page.
// Marked as a background request: it does not count as activity for the idle timeout.
"use strict";
(function () {
  const bell = document.querySelector("[data-notification-bell]");
  if (!bell || !window.fetch) return;
  const badge = bell.querySelector("[data-notification-count]");
  const label = bell.querySelector("[data-notification-label]");
  const url = bell.getAttribute("data-count-url");

  function refresh() {
    if (document.hidden) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json", "X-Background-Request": "true" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) return;
        badge.textContent = data.unread;
        badge.classList.toggle("d-none", data.unread === 0);
        label.textContent = data.label;
      })
      .catch(function () { /* offline: keep the last count */ });
  }
  window.setInterval(refresh, 30000);
  document.addEventListener("visibilitychange", refresh);
})();
