// The plan reader page: link each highlighted quote to its proposal and back,
// and dim the proposals the user rejects. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) { return; }

  function focusRow(index) {
    var row = document.getElementById("row-" + index);
    if (!row) { return; }
    row.scrollIntoView({ behavior: "smooth", block: "center" });
    row.classList.add("proposal-focus");
    window.setTimeout(function () { row.classList.remove("proposal-focus"); }, 1600);
  }

  function focusQuote(index) {
    var mark = document.getElementById("quote-" + index);
    if (!mark) { return; }
    mark.scrollIntoView({ behavior: "smooth", block: "center" });
    mark.classList.add("quote-focus");
    window.setTimeout(function () { mark.classList.remove("quote-focus"); }, 1600);
  }

  function refresh(row) {
    var accepted = row.querySelector("input.decision[value=accept]").checked;
    row.classList.toggle("proposal-rejected", !accepted);
    row.classList.toggle("proposal-accepted", accepted);
    var mark = document.getElementById("quote-" + row.dataset.row);
    if (mark) { mark.classList.toggle("quote-accepted", accepted); }
  }

  document.querySelectorAll("#plan-text mark").forEach(function (mark) {
    mark.addEventListener("click", function () { focusRow(mark.dataset.row); });
  });
  document.querySelectorAll(".proposal").forEach(function (row) {
    row.querySelectorAll("input.decision").forEach(function (input) {
      input.addEventListener("change", function () { refresh(row); });
    });
    row.querySelector(".quote-link").addEventListener("click", function (event) {
      event.preventDefault();
      focusQuote(row.dataset.row);
    });
    refresh(row);
  });
  document.querySelectorAll("[data-all]").forEach(function (button) {
    button.addEventListener("click", function () {
      var value = button.dataset.all;
      document.querySelectorAll(".proposal").forEach(function (row) {
        row.querySelector("input.decision[value=" + value + "]").checked = true;
        refresh(row);
      });
    });
  });
})();
