// The error summary at the top of every form (templates/partials/error_summary.html): after a failed
// submit it takes the focus, so keyboard and screen-reader users hear the problems first, and each of
// its links moves the focus to the control to fix, with its label in view. Loaded by base.html (no
// inline scripts: the Content Security Policy forbids them).
"use strict";

(function () {
  function labelFor(control) {
    // A group of radios or checkboxes is labelled by its legend; a single control by its label.
    const fieldset = control.closest("fieldset");
    if ((control.type === "radio" || control.type === "checkbox") && fieldset) {
      const legend = fieldset.querySelector("legend");
      if (legend) return legend;
    }
    if (control.id) {
      const label = document.querySelector('label[for="' + control.id + '"]');
      if (label) return label;
    }
    return control;
  }

  function openAround(control) {
    // A field inside a closed "add more detail" section: open it before moving there.
    let details = control.closest("details");
    while (details) {
      details.open = true;
      details = details.parentElement ? details.parentElement.closest("details") : null;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    const summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      const link = event.target.closest("a[data-error-target]");
      if (!link) return;
      const control = document.getElementById(link.dataset.errorTarget);
      if (!control) return;
      event.preventDefault();
      openAround(control);
      labelFor(control).scrollIntoView({ block: "start" });
      control.focus({ preventScroll: true });
    });
  });
})();
