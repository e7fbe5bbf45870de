/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  // One tap files one dossier: the server already makes a second submit harmless, this spares the wait.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-once")) return;
    if (button.getAttribute("aria-disabled") === "true") { event.preventDefault(); return; }
    window.setTimeout(function () { button.setAttribute("aria-disabled", "true"); }, 0);
  });
  // "Giúp người khác": show the helper's questions only when they apply.
  var helper = document.getElementById("applicant-filed_by");
  var mine = document.getElementById("on_behalf-no");
  var other = document.getElementById("on_behalf-yes");
  if (helper && mine && other) {
    var sync = function () { helper.hidden = mine.checked; };
    mine.addEventListener("change", sync);
    other.addEventListener("change", sync);
    sync();
  }
})();
