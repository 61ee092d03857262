/* Rating Widget embed: minimal first version (stars, summary, vote). */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = script ? new URL(script.src).origin : location.origin;
  function token() {
    var key = "rw-voter", value = null;
    try { value = localStorage.getItem(key); } catch (e) {}
    if (!value) {
      var bytes = new Uint8Array(24); crypto.getRandomValues(bytes);
      value = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
      try { localStorage.setItem(key, value); } catch (e) {}
    }
    return value;
  }
  function render(el, s) {
    el.textContent = "";
    var line = document.createElement("p");
    line.textContent = s.count ? s.average + " of 5 · " + s.count + " votes" : "No votes yet";
    el.appendChild(line);
    for (var i = 1; i <= 5; i++) {
      var b = document.createElement("button");
      b.type = "button"; b.textContent = i + "★";
      b.addEventListener("click", vote.bind(null, el, i));
      el.appendChild(b);
    }
  }
  function vote(el, rating) {
    fetch(base + "/api/v1/votes", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ site: el.dataset.site || "default", post: el.dataset.post, rating: rating, voter: token() })
    }).then(function (r) { return r.json(); }).then(function (s) { render(el, s); });
  }
  document.querySelectorAll("[data-rating-widget]").forEach(function (el) {
    var q = "site=" + encodeURIComponent(el.dataset.site || "default") + "&post=" + encodeURIComponent(el.dataset.post);
    fetch(base + "/api/v1/summary?" + q).then(function (r) { return r.json(); })
      .then(function (d) { render(el, d.posts[0]); });
  });
})();
