/* Veille search page: Pagefind UI, prefilled and run from ?q=TERM. */
(function () {
  "use strict";
  var root = document.getElementById("search");
  if (!root || typeof PagefindUI === "undefined") return;
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: root.getAttribute("data-bundle") || "/pagefind/",
    showSubResults: true,
    showImages: false,
    resetStyles: false
  });
  // Pagefind's input has only a placeholder: give it an accessible name.
  var input = root.querySelector("input");
  if (input && !input.getAttribute("aria-label")) {
    input.setAttribute("aria-label", root.getAttribute("data-label") || "Search");
  }
  var params = new URLSearchParams(window.location.search);
  var term = (params.get("q") || "").trim();
  var box = document.getElementById("site-search");
  if (box && term) box.value = term;
  if (term) ui.triggerSearch(term);
})();
