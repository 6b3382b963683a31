// The admin's error summary (plans/admin_errors.py): sections holding an error open themselves,
// and a link of the summary opens the way to its field and puts the cursor there.
(function () {
  "use strict";
  function openAround(element) {
    var section = element.closest("details");
    while (section) {
      section.open = true;
      section = section.parentElement ? section.parentElement.closest("details") : null;
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".errorlist, .errors").forEach(openAround);
    var summary = document.getElementById("error-summary");
    if (!summary) {
      return;
    }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
      if (!field) {
        return;
      }
      event.preventDefault();
      openAround(field);
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  });
})();
