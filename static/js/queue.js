// The lead's queue: keep each "time left" current between the server's 30-second refreshes.
// The server renders the same text, so without JavaScript the page still reads right. The
// cells are deliberately not an aria-live region: a screen reader hears the time when it
// reaches the cell, instead of a stream of announcements every minute.
"use strict";

(function () {
  function duration(seconds) {
    var minutes = Math.floor(seconds / 60);
    var days = Math.floor(minutes / (24 * 60));
    minutes -= days * 24 * 60;
    var hours = Math.floor(minutes / 60);
    minutes -= hours * 60;
    if (days) { return days + " d " + hours + " h"; }
    if (hours) { return hours + " h " + minutes + " min"; }
    return minutes + " min";
  }

  // The same words as the server's due_phrase: "LADO: 3 h 5 min left", "Response overdue by 2 d 1 h".
  function phrase(due, now, deadline) {
    var seconds = (due - now) / 1000;
    if (seconds >= 0) {
      return (deadline ? deadline + ": " : "") + duration(seconds) + " left";
    }
    return (deadline ? deadline + " overdue by " : "overdue by ") + duration(-seconds);
  }

  function update(root) {
    var now = Date.now();
    (root || document).querySelectorAll("time.js-countdown[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var text = phrase(due, now, el.getAttribute("data-deadline") || "");
      if (el.textContent !== text) { el.textContent = text; }
      var row = el.closest("tr");
      if (row) { row.classList.toggle("table-danger", due < now); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    update(document);
    window.setInterval(function () { update(document); }, 30000);
  });
  // htmx swapped in fresh rows: bring them up to the second straight away.
  document.addEventListener("htmx:afterSwap", function (event) { update(event.target); });
})();
