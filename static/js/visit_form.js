(function () {
  const kind = document.querySelector("[name=kind]");
  const toggle = () => {
    document.querySelectorAll(".project-fields").forEach(e => e.classList.toggle("d-none", !kind.value.startsWith("project")));
    document.querySelectorAll(".fault-fields").forEach(e => e.classList.toggle("d-none", kind.value !== "fault_joint"));
  };
  kind.addEventListener("change", toggle); toggle();
})();
