// Gatehouse's only script of its own. Every page works without it; it opens dialogs that
// htmx loads into #modal, closes menus, and copies invite links.
(function () {
  "use strict";

  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }

  document.addEventListener("click", function (e) {
    // A click outside an open menu closes it; choosing an item closes its menu too.
    var menu = e.target.closest("details.menu");
    closeMenus(menu);
    if (menu && e.target.closest(".menu-item")) menu.removeAttribute("open");

    // [data-close] inside a dialog closes it instead of following its link.
    var closer = e.target.closest("[data-close]");
    if (closer && closer.closest("dialog")) {
      e.preventDefault();
      closer.closest("dialog").close();
    }

    // [data-copy] copies the value of the element its selector names.
    var copier = e.target.closest("[data-copy]");
    if (copier) {
      var field = document.querySelector(copier.getAttribute("data-copy"));
      if (!field) return;
      field.select();
      var done = function () { copier.textContent = "Copied"; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      d.removeAttribute("open");
      var s = d.querySelector("summary");
      if (s) s.focus();
    });
  });

  // A dialog swapped into #modal opens as a modal; closing it empties #modal again.
  document.addEventListener("htmx:afterSwap", function (e) {
    if (!e.detail.target || e.detail.target.id !== "modal") return;
    var dialog = e.detail.target.querySelector("dialog");
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    dialog.addEventListener("close", function () { dialog.remove(); });
  });

  // Focus goes to the first invalid field, else the autofocus one, else the first field. It is
  // set after htmx settles, because htmx focuses [autofocus] then and would undo an earlier
  // choice; and the selectors are tried in turn, because one selector list picks the field
  // that comes first in the document, not the first selector that matches.
  var focusOrder = ["[aria-invalid=true]", "[autofocus]", "textarea, input:not([type=hidden]):not([readonly]), select"];
  document.addEventListener("htmx:afterSettle", function (e) {
    if (!e.detail.target || e.detail.target.id !== "modal") return;
    var dialog = e.detail.target.querySelector("dialog[open]");
    if (!dialog) return;
    for (var i = 0; i < focusOrder.length; i++) {
      var field = dialog.querySelector(focusOrder[i]);
      if (field) {
        if (document.activeElement !== field) field.focus();
        return;
      }
    }
  });
})();

// "Select all on this page" ticks every row checkbox of the bulk form; without JavaScript the
// form's "Apply to all on this page" does the same, so the checkbox stays hidden.
(function () {
  "use strict";
  function wire(root) {
    root.querySelectorAll("input[data-select-all]").forEach(function (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        document.querySelectorAll('input[name="ids"][form="' + all.dataset.selectAll + '"]').forEach(function (box) {
          box.checked = all.checked;
        });
      });
    });
  }
  wire(document);
  document.addEventListener("htmx:afterSettle", function (e) { if (e.detail.target) wire(e.detail.target); });
})();
