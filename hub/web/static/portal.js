// Aanwezig portal: small progressive enhancements; every page also works without JavaScript.
"use strict";
document.documentElement.classList.add("js");

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

document.addEventListener("DOMContentLoaded", () => {
  // Live filter of grid and list rows by child name.
  document.querySelectorAll("[data-filter-rows]").forEach((input) => {
    const rows = () => document.querySelectorAll(input.dataset.filterRows);
    input.addEventListener("input", () => {
      const needle = input.value.trim().toLowerCase();
      rows().forEach((row) => { row.hidden = needle !== "" && !(row.dataset.name || "").includes(needle); });
    });
  });

  // Correction form: the bin removes a row of times, "Uren toevoegen" adds an empty one.
  document.addEventListener("click", (event) => {
    const bin = event.target.closest("[data-remove-row]");
    if (bin) {
      const row = bin.closest("tr");
      const body = row.parentElement;
      if (body.querySelectorAll("tr").length > 1) { row.remove(); }
      else { row.querySelectorAll("input").forEach((input) => { input.value = ""; }); }
    }
    const add = event.target.closest("[data-add-row]");
    if (add) {
      const body = document.querySelector(add.dataset.addRow);
      const copy = body.querySelector("tr").cloneNode(true);
      copy.querySelectorAll("input").forEach((input) => { input.value = ""; });
      body.appendChild(copy);
      copy.querySelector("input").focus();
    }
    const more = event.target.closest("[data-more-contacts]");
    if (more) {
      const hidden = document.querySelector(".contact-row.extra");
      if (hidden) { hidden.classList.remove("extra"); hidden.querySelector("input").focus(); }
      if (!document.querySelector(".contact-row.extra")) { more.hidden = true; }
    }
  });

  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => { if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); } });
  });

  // "Scan aan de deur": poll the link request once a second until it is decided.
  const status = document.querySelector("[data-poll]");
  if (status && status.dataset.state === "open") {
    const timer = window.setInterval(async () => {
      try {
        const response = await fetch(status.dataset.poll, { headers: { "X-CSRF-Token": csrfToken() } });
        if (!response.ok) { return; }
        const body = await response.json();
        status.textContent = body.text;
        status.dataset.state = body.state;
        status.className = "scan-status notice " + body.state;
        if (body.state !== "open") { window.clearInterval(timer); }
      } catch (error) { /* the next tick tries again */ }
    }, 1000);
  }
});
