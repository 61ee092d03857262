// Rating Widget dashboard: small enhancements only; every page works without this file.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    document.querySelectorAll("[data-needs-js]").forEach(function (el) {
      el.hidden = false;
    });

    // Times are written in UTC by the server; show them in the author's own time zone, in the
    // dashboard's language (the page's lang), not the browser's.
    if (window.Intl && Intl.DateTimeFormat) {
      var lang = document.documentElement.lang || undefined;
      var local = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
      document.querySelectorAll("time[datetime]").forEach(function (el) {
        var when = new Date(el.getAttribute("datetime"));
        if (!isNaN(when.getTime())) {
          el.title = el.textContent;
          el.textContent = local.format(when);
        }
      });
    }

    // Wide screens show the inbox filters at once; on a phone they stay folded unless in use.
    if (window.matchMedia && window.matchMedia("(min-width: 40.0625rem)").matches) {
      document.querySelectorAll("details.filter-box").forEach(function (box) {
        box.open = true;
      });
    }

    // Copy buttons: data-copy names the element whose text is copied; the messages come from
    // the button's data- attributes, in the page's language.
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy"));
        var status = button.parentElement.querySelector(".copied");
        if (!source) return;
        var text = source.textContent;
        function done(message) {
          if (status) status.textContent = message;
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(
            function () { done(button.getAttribute("data-copied")); },
            function () { done(button.getAttribute("data-copy-failed")); }
          );
        } else {
          var range = document.createRange();
          range.selectNodeContents(source);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          var copied = document.execCommand && document.execCommand("copy");
          done(button.getAttribute(copied ? "data-copied" : "data-copy-selected"));
        }
      });
    });

    // The embed code, one panel per ecosystem, as tabs (arrow keys move between them, as the
    // ARIA tabs pattern has it); the copy button copies the panel on show.
    document.querySelectorAll("[data-tabs]").forEach(function (box) {
      var panels = Array.prototype.slice.call(box.querySelectorAll(".embed-panel"));
      var copy = box.parentElement.querySelector("button[data-copy]");
      var status = box.parentElement.querySelector(".copied");
      var list = document.createElement("div");
      list.setAttribute("role", "tablist");
      list.setAttribute("aria-label", box.getAttribute("data-label"));
      var tabs = panels.map(function (panel) {
        var heading = panel.querySelector("h3");
        var tab = document.createElement("button");
        tab.type = "button";
        tab.id = panel.id + "-tab";
        tab.setAttribute("role", "tab");
        tab.setAttribute("aria-controls", panel.id);
        tab.textContent = heading.textContent;
        heading.hidden = true;
        panel.setAttribute("role", "tabpanel");
        panel.setAttribute("aria-labelledby", tab.id);
        list.appendChild(tab);
        return tab;
      });
      function select(index, focus) {
        tabs.forEach(function (tab, i) {
          tab.setAttribute("aria-selected", i === index ? "true" : "false");
          tab.tabIndex = i === index ? 0 : -1;
          panels[i].hidden = i !== index;
        });
        if (copy) copy.setAttribute("data-copy", panels[index].querySelector("pre code").id);
        if (status) status.textContent = "";
        if (focus) tabs[index].focus();
      }
      list.addEventListener("click", function (event) {
        var index = tabs.indexOf(event.target.closest("[role=tab]"));
        if (index >= 0) select(index);
      });
      list.addEventListener("keydown", function (event) {
        var at = tabs.indexOf(document.activeElement);
        var to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
        if (at < 0 || to === undefined) return;
        event.preventDefault();
        select((to + tabs.length) % tabs.length, true);
      });
      box.insertBefore(list, box.firstChild);
      select(0);
    });

    // "Select all" for the inbox's bulk actions.
    document.querySelectorAll("input[data-select-all]").forEach(function (toggle) {
      var name = toggle.getAttribute("data-select-all");
      var boxes = function () {
        return document.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
      };
      toggle.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = toggle.checked; });
      });
    });

    // Ask before destructive submits that carry data-confirm (the question, already translated).
    document.querySelectorAll("button[data-confirm]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm(button.getAttribute("data-confirm"))) {
          event.preventDefault();
        }
      });
    });
  });
})();
