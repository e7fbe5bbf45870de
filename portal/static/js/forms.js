/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";
  var form = document.querySelector("form.eform");
  // One tap files one dossier: the server already makes a second submit harmless, this spares the wait.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (event.defaultPrevented || !button || !button.hasAttribute("data-once")) return;
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

  // Nothing typed is lost on a dropped connection: a copy of the page's answers in sessionStorage, never
  // localStorage (DP-01): it dies with the tab, so a kiosk's next user never gets it, and it is only kept
  // until the server has the answers. Left out: files, hidden fields (CSRF token, draft token, row counts),
  // passwords and identity numbers (any name ending in id_number): those are re-typed, never stored here.
  var store, keep = null;
  try {  // missing, disabled or full (private modes): then no copy, and the page works as before
    store = window.sessionStorage;
    store.setItem("eform:t", "1");
    store.removeItem("eform:t");
  } catch (e) { store = null; }
  if (store && /\/kiem-tra$/.test(location.pathname)) {
    // the check page: the server holds every answer, so no copy is needed any more in this tab
    for (var k = store.length - 1; k >= 0; k--) if (/^eform:/.test(store.key(k) || "")) store.removeItem(store.key(k));
  }
  function notice(at, text, role) {
    var box = document.getElementById("eform-notice");
    if (!box) {
      box = document.createElement("div");
      box.id = "eform-notice";
      box.className = "notice";
      at.parentNode.insertBefore(box, at);
    }
    box.setAttribute("role", role);
    box.textContent = text;
  }
  // Offline: stay on the page, with everything typed, instead of the browser's error page. Capture phase,
  // so this runs before the double-submit guard. When the browser believes it is online but the network
  // fails anyway, it shows its error page; going back or reloading brings the copy below back.
  document.addEventListener("submit", function (event) {
    if (!("onLine" in navigator) || navigator.onLine) return;
    event.preventDefault();
    if (event.target === form && keep) keep();
    notice(event.target, "Mất kết nối mạng. Thông tin của bạn vẫn còn trên trang này; " +
      "hãy bấm Tiếp tục khi có sóng trở lại.", "alert");
  }, true);
  if (!form || !form.elements.draft || !window.JSON) return;
  // The server's own signals: ".draft-expiry" is shown once the draft is saved; only a GET with
  // ?ho-so-tam=… renders a saved draft, so a saved draft at a URL without it is the answer to a POST.
  var token = form.elements.draft.value;
  var saved = !!document.querySelector(".draft-expiry");
  var viaGet = /[?&]ho-so-tam=/.test(location.search);
  // One copy per page of a draft: the path plus the step of a multi-step form (?buoc=N).
  var page = "eform:" + location.pathname + ":" + ((location.search.match(/[?&]buoc=(\d+)/) || [])[1] || "") + ":";
  var fresh = page + "new";  // typed before the first save: the token is a throwaway until then
  var key = saved ? page + token : fresh;

  function fields() {
    var out = [], els = form.elements;
    for (var i = 0; i < els.length; i++) {
      var el = els[i], t = el.type;
      if (!el.name || /id_number$/.test(el.name) || /^(file|password|hidden|submit|button|reset)$/.test(t)) continue;
      out.push([el, el.name + (t === "radio" || t === "checkbox" ? "=" + el.value : "")]);
    }
    return out;
  }
  function valueOf(el) {
    if (el.type === "radio" || el.type === "checkbox") return el.checked;
    if (el.type === "select-multiple") {
      var v = [];
      for (var i = 0; i < el.options.length; i++) if (el.options[i].selected) v.push(el.options[i].value);
      return v.join("\n");
    }
    return el.value;
  }
  function snapshot() {
    var copy = {}, all = fields();
    for (var i = 0; i < all.length; i++) copy[all[i][1]] = valueOf(all[i][0]);
    return copy;
  }
  keep = function () {
    try { store.setItem(key, JSON.stringify(snapshot())); } catch (e) { /* full or blocked: the page still works */ }
  };

  var sent = store && store.getItem("eform:sent");
  if (sent && sent === key) {
    // the page submitted came back (something to fix): typing goes on here, and its copy must outlive a
    // visit to another step, so the marker is spent
    store.removeItem("eform:sent");
  } else if (sent && (sent.slice(-token.length - 1) === ":" + token || sent.slice(-4) === ":new")) {
    // a page submitted from this tab was answered by another page of the same draft (the next step,
    // "Quay lại"): the server redirects only after saving it, so its copy is no longer needed
    store.removeItem(sent);
    store.removeItem("eform:sent");
  }
  if (!store) {
    // no storage: still spare the browser's offline error page above
  } else if (saved && !viaGet) {
    // the server confirmed a save: drop the copy (the page shows what it holds) and give the page its
    // draft's address, so a reload or a tab the phone killed comes back as this draft, not a blank form
    store.removeItem(key);
    store.removeItem(fresh);
    if (window.history && history.replaceState) {
      history.replaceState(history.state, "", location.pathname + (location.search ? location.search + "&" : "?") +
        "ho-so-tam=" + encodeURIComponent(token) + location.hash);
    }
  } else {
    // a GET of this draft (or of a blank form): put back what was typed after the last save
    var copy = null, nav = window.performance && performance.getEntriesByType &&
      performance.getEntriesByType("navigation")[0];
    try { copy = JSON.parse(store.getItem(key) || "null"); } catch (e) { copy = null; }
    if (!saved && !(nav && /^(reload|back_forward)$/.test(nav.type))) {
      // a blank form opened anew (a link, the address bar) is someone starting over, maybe the kiosk's next
      // user: only a reload or Back (the same page coming back) gets the unsaved copy
      store.removeItem(fresh);
      copy = null;
    }
    if (copy) {
      var all = fields(), changed = [];
      for (var j = 0; j < all.length; j++) {
        var el = all[j][0], id = all[j][1];
        if (!copy.hasOwnProperty(id) || valueOf(el) === copy[id]) continue;
        if (el.type === "radio" || el.type === "checkbox") el.checked = copy[id];
        else if (el.type === "select-multiple") {
          var picked = copy[id].split("\n");
          for (var o = 0; o < el.options.length; o++) el.options[o].selected = picked.indexOf(el.options[o].value) >= 0;
        } else el.value = copy[id];
        changed.push(el);
      }
      for (var c = 0; c < changed.length; c++) {
        var ev;
        if (typeof Event === "function") ev = new Event("change", { bubbles: true });
        else { ev = document.createEvent("HTMLEvents"); ev.initEvent("change", true, false); }
        changed[c].dispatchEvent(ev);  // conditional blocks and the helper's questions follow the answers
      }
      if (changed.length) notice(form, "Đã khôi phục thông tin bạn nhập trước khi mất kết nối.", "status");
    }
  }
  if (store) {
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function (event) {
      if (!event.defaultPrevented) { keep(); try { store.setItem("eform:sent", key); } catch (e) { /* no room */ } }
    });
  }
})();
