// Confirmation before destructive actions: <form data-confirm="…"> or <button data-confirm="…">.
document.addEventListener("submit", function (ev) {
  const el = ev.submitter && ev.submitter.dataset.confirm ? ev.submitter : ev.target;
  const msg = el.dataset ? el.dataset.confirm : null;
  if (msg && !window.confirm(msg)) { ev.preventDefault(); }
});
