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

// Copy buttons: a button[data-copy] copies the value of the input whose id it names. The
// buttons start hidden, so without JavaScript (or the clipboard API) only the selectable,
// read-only input shows; focusing it selects its text.
document.addEventListener("focusin", function (event) {
  if (event.target.matches && event.target.matches("input.copy-source")) event.target.select();
});
function gapmapShowCopyButtons(root) {
  if (!navigator.clipboard) return;
  root.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
  });
}
document.addEventListener("DOMContentLoaded", function () { gapmapShowCopyButtons(document); });
document.addEventListener("htmx:afterSettle", function (event) {
  if (event.detail.elt && event.detail.elt.querySelectorAll) gapmapShowCopyButtons(event.detail.elt);
});
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button[data-copy]");
  if (!button) return;
  var id = button.getAttribute("data-copy");
  var source = document.getElementById(id);
  var status = document.querySelector('[data-copy-status="' + id + '"]');
  if (!source) return;
  navigator.clipboard.writeText(source.value).then(
    function () { if (status) status.textContent = "Copied."; },
    function () { source.select(); if (status) status.textContent = "Press Ctrl+C to copy."; }
  );
});

// A time-zone select still on its UTC default takes the browser's zone, and says so; the
// learner can change it before saving. Without JavaScript the default stays UTC (the help text
// says that too).
function detectTimezones(root) {
  var zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone) return;
  root.querySelectorAll("select[data-detect-timezone]").forEach(function (select) {
    if (select.value !== select.getAttribute("data-detect-timezone") || select.dataset.detected) return;
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
    if (!option || zone === select.value) return;
    select.value = zone;
    select.dataset.detected = "true";
    var note = document.createElement("p");
    note.className = "small";
    note.setAttribute("role", "status");
    note.textContent = "Set from your browser: " + zone.replace(/_/g, " ") + ". Change it if that is wrong.";
    select.insertAdjacentElement("afterend", note);
  });
}
document.addEventListener("DOMContentLoaded", function () { detectTimezones(document); });

// The plan's timeline, when it is wider than its box (a phone, a long plan), starts scrolled to
// a little before today, so the learner sees where they are first.
function gapmapScrollTimelines(root) {
  root.querySelectorAll(".timeline-scroll[data-today-x]").forEach(function (box) {
    var x = parseFloat(box.getAttribute("data-today-x"));
    if (box.scrollWidth > box.clientWidth) box.scrollLeft = Math.max(0, x - box.clientWidth / 4);
  });
}
document.addEventListener("DOMContentLoaded", function () { gapmapScrollTimelines(document); });
document.addEventListener("htmx:afterSettle", function (event) {
  if (event.detail.elt && event.detail.elt.querySelectorAll) gapmapScrollTimelines(event.detail.elt);
});
