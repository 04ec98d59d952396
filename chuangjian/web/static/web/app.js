// Tree: the first click on a toggle loads the children with htmx; later clicks only show or
// hide them, so collapsing never asks the server again.
document.addEventListener("click", function (event) {
  var toggle = event.target.closest(".org-tree .toggle");
  if (!toggle) return;
  var children = document.getElementById(toggle.getAttribute("aria-controls"));
  if (!children) return;
  var expanded = toggle.getAttribute("aria-expanded") === "true";
  if (toggle.dataset.loaded === "1") {
    event.preventDefault();
    children.hidden = expanded;
    toggle.setAttribute("aria-expanded", expanded ? "false" : "true");
  }
});

document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  if (!target || !target.classList.contains("children")) return;
  var toggle = document.querySelector('[aria-controls="' + target.id + '"]');
  if (toggle) {
    toggle.dataset.loaded = "1";
    toggle.setAttribute("aria-expanded", "true");
    toggle.removeAttribute("hx-get");
  }
  target.hidden = false;
});

// Confirm buttons that change things for good (close a unit, deactivate a user).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});

// Unit form: the department type (部门类别) only matters for a department (条).
function syncDepartmentField() {
  var field = document.getElementById("department-type-field");
  var checked = document.querySelector('input[name="kind"]:checked');
  if (field && checked) field.hidden = checked.value !== "department";
}
document.addEventListener("change", function (event) {
  if (event.target.name === "kind") syncDepartmentField();
});
document.addEventListener("DOMContentLoaded", syncDepartmentField);

// Selects that apply at once (a version, an indicator): no inline handlers, which the
// Content-Security-Policy forbids.
document.addEventListener("change", function (event) {
  if (event.target.hasAttribute && event.target.hasAttribute("data-autosubmit") && event.target.form) {
    event.target.form.submit();
  }
});
