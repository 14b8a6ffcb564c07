// The console's own script: keeps keyboard focus where it is. The
// instances table refreshes itself every 2 s (htmx polling); a refresh
// would replace the button or link a keyboard user has focused, so none
// is made while the focus is inside the table.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var el = ev.detail && ev.detail.elt;
    var focused = document.activeElement;
    if (el && el.id === "instances" && focused && focused !== el && el.contains(focused)) {
      ev.preventDefault();
    }
  });
})();
