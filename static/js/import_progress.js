(function () {
  const box = document.getElementById("import-job");
  if (!["validating", "applying"].includes(box.dataset.status)) return;
  const bar = document.querySelector("#job-progress .progress-bar");
  const tick = () => fetch(box.dataset.progressUrl).then(r => r.json()).then(function (d) {
    if (d.total) bar.style.width = Math.round(100 * d.done / d.total) + "%";
    document.getElementById("job-status").textContent = d.status_label + (d.total ? " " + d.done + "/" + d.total : "");
    if (d.finished) window.location.reload(); else setTimeout(tick, 1000);
  });
  tick();
})();
