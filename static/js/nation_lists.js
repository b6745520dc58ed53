// The intake form's lists that follow the nation where the person at risk lives: the category
// groups and the adult-at-risk criteria. Without JavaScript every group shows (the server refuses
// another nation's answers); with it, only every nation's group and the chosen nation's show.
// A hidden group's inputs are disabled, not cleared: nothing is sent for them, and choosing that
// nation again brings back what was ticked. No inline scripts: the CSP forbids them.
"use strict";

(function () {
  function chosenNation(form) {
    const select = form.querySelector('[name="jurisdiction"]');
    return select ? select.value : "";
  }

  function showGroups(form) {
    const nation = chosenNation(form);
    form.querySelectorAll(".category-group[data-nations], .criteria-group[data-nations]").forEach(function (group) {
      const nations = group.dataset.nations.split(" ").filter(Boolean);
      const applies = !nation || !nations.length || nations.indexOf(nation) !== -1;
      group.hidden = !applies;
      group.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !applies; });
    });
  }

  function hasAdultAtRisk(form) {
    return Array.prototype.some.call(form.querySelectorAll('select[name^="persons-"][name$="-kind"]'), function (select) {
      return select.value === "adult_at_risk";
    });
  }

  // The adult-at-risk section opens by itself when it applies in Wales (it stays as the person left it otherwise).
  function openAdultSection(form) {
    const section = document.getElementById("adult-at-risk");
    if (section && chosenNation(form) === "wales" && hasAdultAtRisk(form)) section.open = true;
  }

  function setup() {
    const form = document.getElementById("concern-form");
    if (!form || form.dataset.nationListsReady) return;
    form.dataset.nationListsReady = "1";
    form.addEventListener("change", function (event) {
      const name = event.target.name || "";
      if (name === "jurisdiction") showGroups(form);
      if (name === "jurisdiction" || /^persons-\d+-kind$/.test(name)) openAdultSection(form);
    });
    showGroups(form);
    openAdultSection(form);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
