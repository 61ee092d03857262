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
