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

// "Select all" boxes: data-check-all="NAME" ticks every checkbox called NAME in its form.
document.addEventListener("change", function (event) {
  var name = event.target.getAttribute && event.target.getAttribute("data-check-all");
  if (!name) return;
  var scope = event.target.form || document;
  scope.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
    box.checked = event.target.checked;
  });
});

// Lists a reviewer works through on a desktop ([data-keyboard-list]): j / k move between
// rows, x ticks the row's checkbox, o or Enter opens it. Typing in a field is left alone.
document.addEventListener("keydown", function (event) {
  var list = document.querySelector("[data-keyboard-list]");
  if (!list || event.ctrlKey || event.metaKey || event.altKey) return;
  var tag = (event.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
  var rows = Array.prototype.slice.call(list.querySelectorAll("tbody tr"));
  if (!rows.length) return;
  var at = rows.findIndex(function (r) { return r.classList.contains("kb-current"); });
  var key = event.key;
  if (key === "j" || key === "k") {
    var next = at < 0 ? 0 : Math.min(Math.max(at + (key === "j" ? 1 : -1), 0), rows.length - 1);
    if (at >= 0) rows[at].classList.remove("kb-current");
    rows[next].classList.add("kb-current");
    rows[next].scrollIntoView({block: "nearest"});
    event.preventDefault();
  } else if (at >= 0 && key === "x") {
    var box = rows[at].querySelector("input[type=checkbox]");
    if (box) box.checked = !box.checked;
    event.preventDefault();
  } else if (at >= 0 && (key === "o" || key === "Enter")) {
    var link = rows[at].querySelector("a[data-open]");
    if (link) { window.location.href = link.href; event.preventDefault(); }
  }
});
