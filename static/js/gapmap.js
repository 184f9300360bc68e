// After an htmx swap, move keyboard focus to the first element in the new content that asks
// for it (data-focus-after-swap), so keyboard and screen-reader users stay where they were.
document.addEventListener("htmx:afterSettle", function (event) {
  var target = event.detail.elt;
  if (!target || !target.querySelector) return;
  var focusable = target.matches("[data-focus-after-swap]")
    ? target
    : target.querySelector("[data-focus-after-swap]");
  if (focusable) {
    if (!focusable.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(focusable.tagName)) {
      focusable.setAttribute("tabindex", "-1");
    }
    focusable.focus({ preventScroll: false });
  }
});

// A row's "Levels, note, evidence" disclosure loads its content (the link's page, as an htmx
// fragment) the first time it opens; without JavaScript the link opens that page.
document.addEventListener("toggle", function (event) {
  var details = event.target;
  if (!details.open || !details.querySelector || !window.htmx) return;
  var link = details.querySelector(":scope > a[data-load]");
  if (link) htmx.ajax("GET", link.getAttribute("href"), { target: link, swap: "outerHTML" });
}, true);
