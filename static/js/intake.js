// The concern intake form: immediate-danger guidance, "add another", and the server-side draft autosave.
// No inline scripts anywhere: the Content Security Policy forbids them.
"use strict";

(function () {
  const SAVE_EVERY_MS = 5000; // at most a few seconds of typing can be lost (the promise is 15 s)

  function setupEmergency(form) {
    const section = document.getElementById("emergency-section");
    const radios = form.querySelectorAll('input[name="immediate_danger"]');
    if (!section || !radios.length) return;
    const update = function () {
      const checked = form.querySelector('input[name="immediate_danger"]:checked');
      // Without JavaScript the guidance is always shown; with it, only for "yes" or "unsure".
      section.hidden = !checked || checked.value === "no";
    };
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }

  function setupFormsets(form, markDirty, announce) {
    form.querySelectorAll(".formset").forEach(function (formset) {
      const prefix = formset.dataset.formsetPrefix;
      const total = formset.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
      const max = formset.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
      const template = formset.querySelector("template.formset-empty");
      const list = formset.querySelector(".formset-forms");
      const button = formset.querySelector(".formset-add");
      if (!total || !template || !list || !button) return;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        const index = parseInt(total.value, 10) || 0;
        if (max && index >= parseInt(max.value, 10)) {
          announce("No more can be added here.");
          return;
        }
        const html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
        const holder = document.createElement("div");
        holder.innerHTML = html;
        const added = holder.firstElementChild;
        list.appendChild(added);
        total.value = String(index + 1);
        const first = added.querySelector("input:not([type=hidden]), select, textarea");
        if (first) first.focus();
        announce(button.textContent.replace(/^Add another /, "") + " " + (index + 1) + " added.");
        markDirty();
      });
    });
  }

  function setupAutosave(form, announce) {
    const url = form.dataset.autosaveUrl;
    const tokenInput = form.querySelector('input[name="csrfmiddlewaretoken"]');
    if (!url || !tokenInput) return function () {};
    let dirty = false;
    let inFlight = false;
    let stopped = false;
    let lastSaved = null;

    const save = function (keepalive) {
      if (!dirty || inFlight || stopped) return;
      dirty = false;
      inFlight = true;
      const body = new URLSearchParams(new FormData(form));
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        keepalive: Boolean(keepalive),
        headers: { "X-CSRFToken": tokenInput.value, "X-Requested-With": "fetch", "Accept": "application/json" },
        redirect: "error",
      })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            if (response.ok) {
              lastSaved = data.display;
              form.dataset.lastSaved = data.saved_at || "";
              announce("Draft saved at " + data.display + ".");
            } else if (response.status === 401 || response.status === 403) {
              dirty = true;
              announce("You have been signed out. Your draft is saved up to " + (lastSaved || "the last save") +
                ". Sign in again and continue it from My concerns.");
            } else if (response.status === 409) {
              stopped = true;
              announce("This concern has already been submitted.");
            } else {
              dirty = true;
              announce((data.message || "The draft could not be saved.") + " We will keep trying.");
            }
          });
        })
        .catch(function () {
          dirty = true;
          announce("The draft could not be saved just now (no connection?). We will keep trying.");
        })
        .finally(function () { inFlight = false; });
    };

    const markDirty = function () { dirty = true; };
    form.addEventListener("input", markDirty);
    form.addEventListener("change", markDirty);
    // Leaving a field saves at once.
    form.addEventListener("focusout", function () { save(false); });
    window.setInterval(function () { save(false); }, SAVE_EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") save(true);
    });
    form.addEventListener("submit", function () { stopped = true; });
    return markDirty;
  }

  // Fields with a limit say so while typing, counted in characters as the server counts them (a
  // browser's maxlength would cut a paste silently, so the page has none). Nothing is ever removed.
  function setupLimits(form) {
    form.querySelectorAll("[data-max-characters]").forEach(function (field) {
      const limit = parseInt(field.dataset.maxCharacters, 10);
      if (!limit || !field.id) return;
      const note = document.createElement("p");
      note.id = field.id + "-limit";
      note.className = "small text-danger field-limit";
      note.setAttribute("aria-live", "polite");
      note.hidden = true;
      field.insertAdjacentElement("afterend", note);
      const update = function () {
        const length = Array.from(field.value).length;
        const over = length > limit;
        note.hidden = !over;
        note.textContent = over
          ? "This has " + length + " characters; the limit here is " + limit +
            ". Shorten it before submitting. Nothing you typed has been cut, and the draft keeps all of it."
          : "";
        const described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        const without = described.filter(function (id) { return id !== note.id; });
        field.setAttribute("aria-describedby", (over ? without.concat([note.id]) : without).join(" "));
      };
      field.addEventListener("input", update);
      update();
    });
  }

  // "Add more detail" sections that an answer makes relevant open by themselves (data-opens-when=
  // "name=value"); they never close by themselves, so nothing typed in them is hidden.
  function setupRelevantSections(form) {
    form.addEventListener("change", function (event) {
      const control = event.target;
      if (!control.name) return;
      form.querySelectorAll("details[data-opens-when]").forEach(function (details) {
        const rule = details.dataset.opensWhen.split("=");
        if (rule[0] === control.name && control.value === rule[1] && (control.type !== "radio" || control.checked)) {
          details.open = true;
        }
      });
    });
  }

  // "They work or volunteer here": a type-ahead over the organisation's active people. The server
  // answers with name and team only; the choice goes into the row's hidden staff_member field.
  function setupStaffTypeahead(form, markDirty) {
    let timer = null;
    const search = function (input) {
      const box = input.closest(".staff-typeahead");
      const results = box.querySelector(".staff-results");
      const query = input.value.trim();
      results.replaceChildren();
      if (query.length < 2) return;
      fetch(box.dataset.staffSearchUrl + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin", headers: { "Accept": "application/json" }, redirect: "error",
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          results.replaceChildren();
          if (!data.results.length) {
            const none = document.createElement("li");
            none.textContent = "Nobody found. If they work here, describe them below.";
            results.appendChild(none);
            return;
          }
          data.results.forEach(function (person) {
            const item = document.createElement("li");
            const button = document.createElement("button");
            button.type = "button";
            button.className = "btn btn-link p-0 staff-result";
            const label = person.teams ? person.name + " (" + person.teams + ")" : person.name;
            button.textContent = label;
            button.dataset.staffId = String(person.id);
            button.dataset.staffLabel = label;
            item.appendChild(button);
            results.appendChild(item);
          });
        })
        .catch(function () {});
    };
    form.addEventListener("input", function (event) {
      if (!event.target.classList.contains("staff-search")) return;
      window.clearTimeout(timer);
      const input = event.target;
      timer = window.setTimeout(function () { search(input); }, 250);
    });
    form.addEventListener("keydown", function (event) {
      // Enter in the search box chooses nothing and must not submit the whole concern.
      if (event.key === "Enter" && event.target.classList.contains("staff-search")) event.preventDefault();
    });
    form.addEventListener("click", function (event) {
      const button = event.target.closest(".staff-result");
      if (!button) return;
      const group = button.closest("details");
      const hidden = group.querySelector("input.staff-member-id");
      hidden.value = button.dataset.staffId;
      group.querySelector(".staff-chosen").textContent = "Chosen: " + button.dataset.staffLabel;
      group.querySelector(".staff-results").replaceChildren();
      const input = group.querySelector(".staff-search");
      input.value = "";
      input.focus();
      markDirty();
    });
  }

  function setupPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupPrint();
    const form = document.getElementById("concern-form");
    if (!form) return;
    const status = document.getElementById("autosave-status");
    const announce = function (text) { if (status) status.textContent = text; };
    setupEmergency(form);
    setupLimits(form);
    setupRelevantSections(form);
    const markDirty = setupAutosave(form, announce);
    setupFormsets(form, markDirty, announce);
    setupStaffTypeahead(form, markDirty);
  });
})();
