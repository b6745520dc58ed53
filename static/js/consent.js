// Consent forms: show only the questions that apply to the answers given so far.
// Progressive enhancement: without JavaScript every question shows, and the server checks the
// rules either way. A question with an error is never hidden. No inline scripts (CSP).
"use strict";

(function () {
  function currentValue(form, name) {
    const checked = form.querySelector(`[name="${name}"]:checked`);
    if (checked) {
      return checked.type === "checkbox" ? "on" : checked.value;
    }
    const select = form.querySelector(`select[name="${name}"]`);
    return select ? select.value : "";
  }

  function update(form, rules) {
    for (const [target, rule] of Object.entries(rules)) {
      const [controller, values] = rule;
      const wrapper = document.getElementById(target) || form.querySelector(`#div_id_${target}`);
      if (!wrapper) {
        continue;
      }
      const applies = values.includes(currentValue(form, controller));
      const hasError = wrapper.querySelector(".is-invalid, .invalid-feedback") !== null;
      wrapper.hidden = !applies && !hasError;
    }
  }

  document.querySelectorAll("form[data-conditional]").forEach((form) => {
    let rules;
    try {
      rules = JSON.parse(form.dataset.conditional);
    } catch (error) {
      return; // leave every question visible
    }
    form.addEventListener("change", () => update(form, rules));
    update(form, rules);
  });
})();
