// ORG-4: reveal a contact's personal data in clear (audit-logged, rate-limited by policy).
document.querySelectorAll("button.reveal").forEach(function (btn) {
  btn.addEventListener("click", function () {
    const token = document.querySelector("[name=csrfmiddlewaretoken]") || {value: (document.cookie.match(/csrftoken=([^;]+)/) || [])[1]};
    fetch(btn.dataset.url, {method: "POST", headers: {"X-CSRFToken": token.value}}).then(function (r) {
      return r.json().then(function (d) { return {ok: r.ok, d: d}; });
    }).then(function (res) {
      const row = btn.closest("tr");
      if (!res.ok) { btn.replaceWith(Object.assign(document.createElement("span"), {className: "text-danger small reveal-error", textContent: res.d.message || res.d.detail})); return; }
      row.querySelector(".pd-mobile").textContent = res.d.mobile;
      const b = row.querySelector(".pd-birthday"); if (b) b.textContent = res.d.birthday;
      btn.remove();
    });
  });
});
