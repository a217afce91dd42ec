// Confirmation before destructive actions: <form data-confirm="…"> or <button data-confirm="…">.
document.addEventListener("submit", function (ev) {
  const el = ev.submitter && ev.submitter.dataset.confirm ? ev.submitter : ev.target;
  const msg = el.dataset ? el.dataset.confirm : null;
  if (msg && !window.confirm(msg)) { ev.preventDefault(); }
});

// Bar widths come as data-pct (the CSP allows no style="" attributes); CSSOM writes are allowed.
document.querySelectorAll("[data-pct]").forEach(function (el) {
  el.style.width = Math.max(0, Math.min(100, parseFloat(el.dataset.pct) || 0)) + "%";
});
