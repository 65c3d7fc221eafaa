// Gatehouse's only script of its own. Every page works without it; it opens dialogs that
// htmx loads into #modal and gives focus back when they close, closes menus, refreshes the
// Users table in place after an action, announces results, and copies invite links.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // ---- Menus: plain disclosures (details/summary). They close on a click elsewhere, when
  // focus leaves them, and on Escape (focus goes back to their button).
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      if (d !== except) d.removeAttribute("open");
    });
  }

  document.addEventListener("focusout", function (e) {
    var menu = e.target.closest && e.target.closest("details.menu[open]");
    if (!menu) return;
    // relatedTarget is where focus goes; null when it leaves the page or goes nowhere yet.
    var to = e.relatedTarget;
    if (to && menu.contains(to)) return;
    if (!to && !document.hasFocus()) return; // the window lost focus: keep the menu as it was
    menu.removeAttribute("open");
  });

  // ---- Dialogs: remember what opened one, so closing it (Escape, ×, Cancel) or finishing
  // its action puts focus back there. A menu item closes with its menu, so its menu's button
  // stands in for it; the row's id finds that button again after the table is refreshed.
  var opener = null;

  function rememberOpener(el) {
    var menu = el.closest("details.menu");
    var target = menu ? menu.querySelector("summary") : el;
    var row = el.closest("tr[id]");
    opener = {el: target, row: row ? row.id : "", index: rowIndex(row)};
  }

  function rowIndex(row) {
    if (!row || !row.parentNode) return -1;
    return Array.prototype.indexOf.call(row.parentNode.children, row);
  }

  function restoreFocus() {
    if (!opener) return;
    var o = opener;
    opener = null;
    var el = o.el;
    if (!el || !el.isConnected) {
      el = null;
      if (o.row) {
        var row = document.getElementById(o.row);
        if (row) el = row.querySelector("summary") || row.querySelector("a");
        if (!el && o.index >= 0) {
          // The row left this tab (terminated, restored…): the row now in its place, or the heading.
          var rows = document.querySelectorAll("#users-results tbody tr");
          var near = rows[Math.min(o.index, rows.length - 1)];
          if (near) el = near.querySelector("summary") || near.querySelector("a");
        }
      }
      if (!el) el = document.querySelector("main h1");
      if (el && el.tagName === "H1") el.setAttribute("tabindex", "-1");
    }
    if (el) el.focus();
  }

  document.addEventListener("click", function (e) {
    var menu = e.target.closest("details.menu");
    closeMenus(menu);

    var trigger = e.target.closest('[hx-target="#modal"]');
    if (trigger && !trigger.closest("dialog")) rememberOpener(trigger);
    if (menu && e.target.closest(".menu-item")) menu.removeAttribute("open");

    // [data-close] inside a dialog closes it instead of following its link.
    var closer = e.target.closest("[data-close]");
    if (closer && closer.closest("dialog")) {
      e.preventDefault();
      closer.closest("dialog").close();
    }

    // [data-copy] copies the value of the element its selector names, and says so.
    var copier = e.target.closest("[data-copy]");
    if (copier) {
      var sel = copier.getAttribute("data-copy");
      var field = document.querySelector(sel);
      if (!field) return;
      field.select();
      var status = document.querySelector('[data-copy-status="' + sel + '"]');
      var done = function () {
        copier.textContent = "Copied";
        if (status) status.textContent = "Copied to the clipboard.";
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
      } else {
        document.execCommand("copy");
        done();
      }
    }
  });

  // A readonly field meant for copying selects its whole text when focused.
  document.addEventListener("focusin", function (e) {
    if (e.target.matches && e.target.matches("[data-select-all]")) e.target.select();
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (d) {
      d.removeAttribute("open");
      var s = d.querySelector("summary");
      if (s) s.focus();
    });
  });

  // Copy buttons only work with JavaScript: they are hidden until it runs.
  function showCopyButtons(root) {
    root.querySelectorAll("[data-copy][hidden]").forEach(function (b) { b.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    showCopyButtons(document);
    // A page that comes back with a server-side error (Settings, Account…) moves focus to it,
    // so it is read out: the error summary, else the first invalid field.
    var main = document.querySelector("body.app #main");
    if (!main) return;
    var err = main.querySelector("[aria-invalid=true]") || main.querySelector(".form-error");
    if (err && !document.querySelector("[autofocus]:focus")) err.focus();
  });

  // ---- A dialog swapped into #modal opens as a modal; closing it empties #modal again and
  // gives focus back to what opened it.
  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail.target;
    // An outerHTML swap reports the element it replaced: read the new one.
    if (target && target.id === "users-results") announceResults(document.getElementById("users-results"));
    if (!target || target.id !== "modal") return;
    var dialog = target.querySelector("dialog");
    if (!dialog) return;
    showCopyButtons(dialog);
    if (!dialog.open) dialog.showModal();
    dialog.addEventListener("close", function () {
      dialog.remove();
      if (!refreshing) restoreFocus();
    });
  });

  // Focus goes to the first invalid field, else the error summary, else a field marked
  // autofocus, else the first field, else Cancel. It is set after htmx settles, because htmx
  // focuses [autofocus] then and would undo an earlier choice; and the selectors are tried in
  // turn, because one selector list picks the element that comes first in the document.
  var focusOrder = ["[aria-invalid=true]", ".form-error", ".field-error[role=alert]", "[autofocus]:not([data-close])",
    "textarea:not([tabindex='-1']), input:not([type=hidden]):not([readonly]):not([disabled]), select", "[autofocus]"];
  document.addEventListener("htmx:afterSettle", function (e) {
    if (!e.detail.target || e.detail.target.id !== "modal") return;
    var dialog = e.detail.target.querySelector("dialog[open]");
    if (!dialog) return;
    for (var i = 0; i < focusOrder.length; i++) {
      var el = dialog.querySelector(focusOrder[i]);
      if (el) {
        if (!el.matches("input, select, textarea, button, a[href]") && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
        if (document.activeElement !== el) el.focus();
        return;
      }
    }
  });

  // ---- After a successful action the server redirects to the page the dialog was opened
  // from. When that is the page already shown, refresh its parts in place instead of loading
  // it again: the row, the tab counts and the flash change, focus stays on the row's menu.
  var refreshing = false;
  var parts = ["users-tabs", "users-results", "member-facts", "flashes"];

  document.addEventListener("htmx:beforeOnLoad", function (e) {
    var xhr = e.detail.xhr;
    var to = xhr && xhr.getResponseHeader("HX-Redirect");
    if (!to) return;
    var dialog = e.detail.elt && e.detail.elt.closest && e.detail.elt.closest("#modal dialog");
    if (!dialog) return;
    var url = new URL(to, location.href);
    if (url.origin !== location.origin || url.pathname !== location.pathname) return;
    if (!parts.some(function (id) { return id !== "flashes" && document.getElementById(id); })) return;
    e.preventDefault();
    refreshing = true;
    if (dialog.open) dialog.close();
    refreshInPlace(url.pathname + url.search === location.pathname + location.search ? location.href : url.href);
  });

  function refreshInPlace(href) {
    fetch(href, {credentials: "same-origin", headers: {"Accept": "text/html"}}).then(function (r) {
      if (!r.ok) throw new Error("status " + r.status);
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      parts.forEach(function (id) {
        var now = document.getElementById(id), next = doc.getElementById(id);
        if (!now || !next) return;
        if (id === "flashes") {
          // The live region stays; only its content changes, so it is announced.
          now.innerHTML = next.innerHTML;
          return;
        }
        now.replaceWith(next);
        if (window.htmx) window.htmx.process(next);
      });
      if (href !== location.href) history.replaceState(null, "", href);
      refreshing = false;
      restoreFocus();
    }).catch(function () {
      location.href = href;
    });
  }

  // ---- Live search: say how many members are shown once the table has been replaced.
  function announceResults(results) {
    var status = document.getElementById("results-status");
    if (status && results && results.dataset.status) status.textContent = results.dataset.status;
  }
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
