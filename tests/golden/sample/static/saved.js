/* Save for later: the Save toggles of cards and item pages (progressive enhancement).
 *
 * trusted-header mode: the list lives in the comments store, per person (PUT/DELETE/GET
 * /api/saved); without JS the button is a form posting to the API.
 * open mode: the list lives in this browser's localStorage only ("veille.saved").
 * Exposes window.VeilleSaved (list, toggle) for the /me/ page.
 */
(function () {
  "use strict";
  var KEY = "veille.saved";
  var node = document.getElementById("veille-comments-config");
  var config = {};
  try { config = node ? JSON.parse(node.textContent) : {}; } catch (e) { config = {}; }
  var api = (config.api || "/api").replace(/\/$/, "");
  var local = config.identity !== "trusted-header";

  function readLocal() {
    try {
      var list = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(list) ? list.filter(function (s) { return s && typeof s.thread === "string"; }) : [];
    } catch (e) { return []; }
  }

  function writeLocal(list) {
    try { window.localStorage.setItem(KEY, JSON.stringify(list)); } catch (e) { /* storage full or off */ }
  }

  /* The saved list, newest first: [{thread, created}]. */
  function list() {
    if (local) return Promise.resolve(readLocal());
    return fetch(api + "/saved", { credentials: "include", headers: { accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("saved: " + r.status); return r.json(); });
  }

  /* Save (on=true) or remove an item; resolves to the new state. */
  function toggle(thread, on) {
    if (local) {
      var rest = readLocal().filter(function (s) { return s.thread !== thread; });
      if (on) rest.unshift({ thread: thread, created: new Date().toISOString() });
      writeLocal(rest);
      return Promise.resolve(on);
    }
    var url = api + "/saved?thread=" + encodeURIComponent(thread);
    return fetch(url, { method: on ? "PUT" : "DELETE", credentials: "include" })
      .then(function (r) { if (!r.ok) throw new Error("saved: " + r.status); return on; });
  }

  function show(button, on) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    var icon = button.querySelector(".save-icon");
    if (icon) icon.textContent = on ? "★" : "☆";
    var form = button.form;
    if (form && form.elements.namedItem("action")) form.elements.namedItem("action").value = on ? "remove" : "save";
  }

  function buttons() {
    return Array.prototype.slice.call(document.querySelectorAll("button[data-save-thread]"));
  }

  function refresh() {
    return list().then(function (saved) {
      var set = {};
      saved.forEach(function (s) { set[s.thread] = true; });
      buttons().forEach(function (b) { show(b, !!set[b.getAttribute("data-save-thread")]); });
      return saved;
    });
  }

  function wire() {
    buttons().forEach(function (button) {
      button.hidden = false;
      var form = button.form;
      if (!form) return;
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var thread = button.getAttribute("data-save-thread");
        var on = button.getAttribute("aria-pressed") !== "true";
        button.disabled = true;
        toggle(thread, on).then(function (state) {
          buttons().forEach(function (b) { if (b.getAttribute("data-save-thread") === thread) show(b, state); });
        }).catch(function () {
          button.setAttribute("data-error", "true");
        }).then(function () { button.disabled = false; button.focus(); });
      });
    });
    refresh().catch(function () { /* signed out or offline: the buttons stay usable as forms */ });
  }

  window.VeilleSaved = { list: list, toggle: toggle, local: local, api: api };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
