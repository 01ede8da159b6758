/* Veille: loaded in <head>, before any image, so that an image which fails to load
   (a dead thumbnail address) is hidden instead of leaving an empty frame; and a wide
   table in a post, which scrolls inside itself, can be scrolled from the keyboard. */
(function () {
  "use strict";
  document.addEventListener(
    "error",
    function (event) {
      var target = event.target;
      if (target && target.tagName === "IMG") target.hidden = true;
    },
    true
  );
  document.addEventListener("DOMContentLoaded", function () {
    var tables = document.querySelectorAll(".body table");
    for (var i = 0; i < tables.length; i++) {
      if (tables[i].scrollWidth > tables[i].clientWidth) tables[i].tabIndex = 0;
    }
  });
})();
