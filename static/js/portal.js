// Confirmation before destructive actions: <form data-confirm="…"> or <button data-confirm="…">.
document.addEventListener("submit", function (ev) {
  const el = ev.submitter && ev.submitter.dataset.confirm ? ev.submitter : ev.target;
  const msg = el.dataset ? el.dataset.confirm : null;
  if (msg && !window.confirm(msg)) { ev.preventDefault(); }
});

// ORG-4: "reveal" next to a masked ticket callback number asks the server (audit-logged) for it.
document.addEventListener("click", function (ev) {
  const btn = ev.target.closest ? ev.target.closest("button.reveal-callback") : null;
  if (!btn) { return; }
  const token = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || "";
  fetch(btn.dataset.url, {method: "POST", headers: {"X-CSRFToken": token}, credentials: "same-origin"})
    .then(function (r) { return r.json(); })
    .then(function (d) {
      document.querySelectorAll(".pd-callback").forEach(function (el) { el.textContent = d.callback_number; });
      btn.remove();
    });
});
