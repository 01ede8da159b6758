/* /me/: the reader's own page, filled in the browser (the published page is the same for all).
 *
 * Saved items come from saved.js (the API in trusted-header mode, localStorage in open
 * mode) and are shown as cards from items.json; comments and replies from GET /api/me,
 * which only ever answers with the caller's own data.
 */
(function () {
  "use strict";
  var root = document.getElementById("me");
  if (!root || !window.VeilleSaved) return;
  var strings = JSON.parse(root.getAttribute("data-strings") || "{}");
  var saved = window.VeilleSaved;
  var itemsByPath = {};
  var savedList = [];
  var tagSelect = document.getElementById("me-tag");
  var communitySelect = document.getElementById("me-community");
  var container = document.getElementById("me-saved");
  var count = document.getElementById("me-count");
  root.hidden = false;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function entries() {
    return savedList.map(function (s) { return itemsByPath[s.thread]; }).filter(Boolean);
  }

  function shown() {
    var tag = tagSelect.value, community = communitySelect.value;
    return entries().filter(function (item) {
      return (!tag || (item.tags || []).indexOf(tag) !== -1) && (!community || item.community === community);
    });
  }

  function card(item) {
    var article = el("article", { "class": "card card-" + item.kind, "data-thread": item.path });
    var meta = el("p", { "class": "meta" });
    meta.appendChild(el("time", { datetime: item.date }, (item.date || "").slice(0, 10)));
    if (item.community) meta.appendChild(document.createTextNode(" · " + item.community));
    article.appendChild(meta);
    var h = el("h2", { "class": "card-title" });
    h.appendChild(el("a", { href: item.path }, item.title));
    article.appendChild(h);
    var foot = el("p", { "class": "card-foot" });
    (item.tags || []).forEach(function (t) { foot.appendChild(el("span", { "class": "tag" }, "#" + t)); });
    var remove = el("button", { type: "button", "class": "save-toggle", "aria-pressed": "true" }, strings.remove);
    remove.addEventListener("click", function () {
      saved.toggle(item.path, false).then(load);
    });
    foot.appendChild(remove);
    article.appendChild(foot);
    return article;
  }

  function options(select, values) {
    var keep = select.value;
    while (select.options.length > 1) select.remove(1);
    values.sort().forEach(function (v) { select.appendChild(el("option", { value: v }, v)); });
    select.value = values.indexOf(keep) !== -1 ? keep : "";
  }

  function render() {
    var list = shown();
    container.textContent = "";
    list.forEach(function (item) { container.appendChild(card(item)); });
    count.textContent = list.length ? String(list.length) + " / " + String(entries().length) : strings.empty;
  }

  function markdown() {
    var base = root.getAttribute("data-site").replace(/\/$/, "");
    return shown().map(function (item) { return "- [" + item.title.replace(/[\[\]]/g, "") + "](" + base + item.path + ")"; }).join("\n") + "\n";
  }

  function yaml() {
    var lines = ["title: " + JSON.stringify(strings.collection_title), "date: " + new Date().toISOString().slice(0, 10), "description: \"\"", "owner: YOUR-PERSON-ID", "items:"];
    shown().forEach(function (item) { lines.push("  - thread: " + item.path); });
    return lines.join("\n") + "\n";
  }

  function load() {
    return saved.list().then(function (list) {
      savedList = list;
      var tags = {}, communities = {};
      entries().forEach(function (item) {
        (item.tags || []).forEach(function (t) { tags[t] = true; });
        if (item.community) communities[item.community] = true;
      });
      options(tagSelect, Object.keys(tags));
      options(communitySelect, Object.keys(communities));
      render();
    }).catch(function () { count.textContent = strings.signed_out; });
  }

  function comment(c) {
    var li = el("li");
    li.appendChild(el("a", { href: c.url }, c.thread));
    li.appendChild(document.createTextNode(" · " + c.author + " · " + (c.created || "").slice(0, 10)));
    li.appendChild(el("blockquote", {}, c.body.length > 280 ? c.body.slice(0, 279) + "…" : c.body));
    return li;
  }

  function activity() {
    var section = document.getElementById("me-activity");
    if (saved.local) { section.hidden = true; return; }
    fetch(saved.api + "/me", { credentials: "include", headers: { accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error("me: " + r.status); return r.json(); })
      .then(function (me) {
        [["me-comments", me.comments, strings.no_comments], ["me-replies", me.replies, strings.no_replies]].forEach(function (part) {
          var ul = document.getElementById(part[0]);
          ul.textContent = "";
          if (!part[1].length) ul.appendChild(el("li", {}, part[2]));
          part[1].forEach(function (c) { ul.appendChild(comment(c)); });
        });
      })
      .catch(function () { document.getElementById("me-comments").appendChild(el("li", {}, strings.signed_out)); });
  }

  document.getElementById("me-filters").addEventListener("change", render);
  document.getElementById("me-copy").addEventListener("click", function () {
    var text = markdown();
    var area = document.getElementById("me-markdown");
    area.value = text;
    var done = function () { count.textContent = strings.copied; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { area.hidden = false; area.select(); count.textContent = strings.copy_failed; });
    } else { area.hidden = false; area.select(); count.textContent = strings.copy_failed; }
  });
  document.getElementById("me-propose").addEventListener("click", function (event) {
    var panel = document.getElementById("me-proposal");
    panel.hidden = !panel.hidden;
    event.currentTarget.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
    document.getElementById("me-yaml").value = yaml();
  });

  fetch(root.getAttribute("data-items"), { headers: { accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      (data.items || []).forEach(function (item) { itemsByPath[item.path] = item; });
      return load();
    });
  activity();
})();
