// The evacuation list's "Afdrukken" button (no inline scripts: the portal's CSP forbids them).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
});
