// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // Tell about a too-large attachment before the form is sent, so no typing is lost.
  function checkFileSizes(form) {
    var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
    var input = form.querySelector("input[type=file]");
    var message = document.getElementById("attachments-size-error");
    if (!limit || !input || !message) { return; }
    input.addEventListener("change", function () {
      var tooBig = Array.prototype.filter.call(input.files, function (f) { return f.size > limit; });
      if (tooBig.length) {
        message.textContent = message.getAttribute("data-template") ?
          message.getAttribute("data-template").replace("%s", tooBig.map(function (f) { return f.name; }).join(", ")) :
          tooBig.map(function (f) { return f.name; }).join(", ") + ": " + Math.round(limit / 1048576) + " MB max";
        message.hidden = false;
        input.setAttribute("aria-invalid", "true");
      } else {
        message.hidden = true;
        input.removeAttribute("aria-invalid");
      }
    });
  }

  // Move focus to the error summary so screen-reader and keyboard users hear what went wrong.
  function focusErrors() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-max-bytes]"), checkFileSizes);
    focusErrors();
  });
}());
