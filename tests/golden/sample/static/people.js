/* People directory filters: progressive enhancement (the full list works without JS). */
(function () {
  "use strict";
  var form = document.getElementById("people-filters");
  var list = document.getElementById("people-list");
  if (!form || !list) return;
  var expertise = form.elements.namedItem("expertise");
  var site = form.elements.namedItem("site");
  var count = document.getElementById("people-count");
  var none = document.getElementById("people-none");
  var cards = Array.prototype.slice.call(list.querySelectorAll(".person-card"));

  function norm(text) { return (text || "").trim().toLocaleLowerCase(); }

  function apply(push) {
    var wantSkill = norm(expertise.value);
    var wantSite = norm(site.value);
    var shown = 0;
    cards.forEach(function (card) {
      var skills = (card.getAttribute("data-expertise") || "").split("|").map(norm);
      var ok = (!wantSkill || skills.indexOf(wantSkill) !== -1) &&
        (!wantSite || norm(card.getAttribute("data-site")) === wantSite);
      card.hidden = !ok;
      if (ok) shown += 1;
    });
    // The language's own plural rule: in French 0 and 1 are singular, in English only 1.
    var lang = document.documentElement.lang || "en";
    var one = window.Intl && Intl.PluralRules
      ? new Intl.PluralRules(lang).select(shown) === "one" : shown === 1;
    var template = count.getAttribute(one ? "data-template-one" : "data-template-many");
    count.textContent = template.replace("{count}", String(shown));
    if (none) none.hidden = shown !== 0;
    if (push && window.history && window.history.replaceState) {
      var params = new URLSearchParams();
      if (expertise.value) params.set("expertise", expertise.value);
      if (site.value) params.set("site", site.value);
      var query = params.toString();
      window.history.replaceState(null, "", query ? "?" + query : window.location.pathname);
    }
  }

  function select(control, value) {
    if (!value) return;
    for (var i = 0; i < control.options.length; i += 1) {
      if (norm(control.options[i].value) === norm(value)) { control.selectedIndex = i; return; }
    }
  }

  var params = new URLSearchParams(window.location.search);
  select(expertise, params.get("expertise"));
  select(site, params.get("site"));
  form.hidden = false;
  form.addEventListener("change", function () { apply(true); });
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(true); });
  form.addEventListener("reset", function () { window.setTimeout(function () { apply(true); }, 0); });
  apply(false);
})();
