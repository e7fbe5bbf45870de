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
  // Conditional fields (templates/forms/_fields.html, data-when): show a branch the moment it applies.
  // The server decides again on every post; this only spares the "Cập nhật" round trip.
  function answer(name) {
    var els = document.getElementsByName(name), v = "";
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.type === "checkbox") v = el.checked ? "true" : "false";
      else if (el.type !== "radio" || el.checked) v = el.value;
      if (v) break;
    }
    return v;
  }
  function applies(c) {
    var v = answer(c.f);
    var hit = v === "" ? c.empty : (c.in ? c.in.indexOf(v) >= 0 : true);
    return c.not ? !hit : hit;
  }
  function update() {
    var blocks = document.querySelectorAll("[data-when]");
    for (var i = 0; i < blocks.length; i++) {
      var on = JSON.parse(blocks[i].getAttribute("data-when")).some(applies);
      blocks[i].hidden = !on;
      blocks[i].disabled = !on;  // a fieldset: nothing inside is posted while hidden
    }
  }
  if (document.querySelector("[data-when]")) {
    document.addEventListener("change", update);
    update();
    // "Cập nhật" is only needed where the server alone can decide.
    var live = document.querySelectorAll(".fe-update[data-live]");
    for (var i = 0; i < live.length; i++) live[i].hidden = true;
  }
})();
