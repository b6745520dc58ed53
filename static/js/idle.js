// The idle timeout made visible: two minutes before the session ends, a dialog offers
// "Stay signed in"; once it has ended, the page says so (nothing typed in a draft is lost:
// drafts autosave on the server). The server is the clock: this asks how long the session
// has left, as a background request that does not itself count as activity.
"use strict";
(function () {
  const dialog = document.getElementById("idle-dialog");
  if (!dialog || !window.fetch || typeof dialog.showModal !== "function") return;
  const statusUrl = dialog.getAttribute("data-status-url");
  const warnSeconds = parseInt(dialog.getAttribute("data-warn-seconds"), 10) || 120;
  const warning = dialog.querySelector("[data-idle-warning]");
  const signedOut = dialog.querySelector("[data-idle-signed-out]");
  const remainingText = dialog.querySelector("[data-idle-remaining]");
  const stayForm = dialog.querySelector("[data-idle-stay]");
  const signIn = dialog.querySelector("[data-idle-sign-in]");
  let ended = false;

  signIn.href = dialog.getAttribute("data-login-url") + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);

  function open() {
    if (!dialog.open) dialog.showModal();
  }

  function showSignedOut() {
    ended = true;
    warning.hidden = true;
    signedOut.hidden = false;
    document.body.setAttribute("data-signed-out", "true");
    open();
    signedOut.querySelector("[data-idle-signed-out-heading]").focus();
  }

  function minutes(seconds) {
    const whole = Math.max(1, Math.ceil(seconds / 60));
    return whole === 1 ? "1 minute" : whole + " minutes";
  }

  function check() {
    if (ended) return;
    fetch(statusUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Background-Request": "true" },
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (!status) return;
        if (!status.signed_in) {
          showSignedOut();
        } else if (status.remaining_seconds <= warnSeconds) {
          remainingText.textContent = minutes(status.remaining_seconds);
          open();
        } else if (dialog.open) {
          dialog.close();  // activity in another tab extended the session
        }
      })
      .catch(function () { /* offline: try again at the next tick */ });
  }

  stayForm.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(statusUrl, { method: "POST", credentials: "same-origin", body: new FormData(stayForm) })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status && status.signed_in) dialog.close();
        else showSignedOut();
      });
  });
  // Escape would hide the warning without staying signed in; keep it until the person chooses.
  dialog.addEventListener("cancel", function (event) { if (ended) event.preventDefault(); });

  const interval = parseInt(document.body.getAttribute("data-idle-check-seconds"), 10) || 15;
  window.setInterval(check, interval * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) check(); });
})();
