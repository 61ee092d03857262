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

    // Times are written in UTC by the server; show them in the author's own time zone.
    if (window.Intl && Intl.DateTimeFormat) {
      var local = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
      document.querySelectorAll("time[datetime]").forEach(function (el) {
        var when = new Date(el.getAttribute("datetime"));
        if (!isNaN(when.getTime())) {
          el.title = el.textContent;
          el.textContent = local.format(when);
        }
      });
    }

    // Copy buttons: data-copy names the element whose text is copied.
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
            function () { done("Copied."); },
            function () { done("Select the code and copy it by hand."); }
          );
        } else {
          var range = document.createRange();
          range.selectNodeContents(source);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          done(document.execCommand && document.execCommand("copy") ? "Copied." : "Selected: press Ctrl+C to copy.");
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

    // Ask before destructive submits that carry data-confirm.
    document.querySelectorAll("button[value='delete']").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (!window.confirm("Remove this author? They will no longer be able to log in.")) {
          event.preventDefault();
        }
      });
    });
  });
})();
