/* Rating Widget embed; why it is written so tersely: README.md "Embedding". */
((w, d) => {
  "use strict";
  const queue = w.RatingWidget;
  if (queue && queue.mount) return; // included twice
  const src = d.currentScript || d.querySelector("script[src*='embed.js']");
  const API = new URL(src ? src.src : "/", location.href).origin + "/api/v1/";
  const CSS =
    ":host{display:block;color-scheme:light dark;--_fg:var(--rw-fg,light-dark(#1f2328,#e6edf3));--_mut:var(--rw-muted,light-dark(#57606a,#a8b1bb));--_bg:var(--rw-bg,light-dark(#fff,#161b22));--_bd:var(--rw-border,light-dark(#d0d7de,#3d444d));--_on:var(--rw-star,light-dark(#e08a00,#f5b83d));--_off:var(--rw-star-off,light-dark(#eceff2,#2d333b));--_ac:var(--rw-accent,light-dark(#0a5cc7,#6cb6ff));--_err:var(--rw-error,light-dark(#b42318,#ff9b8f))}" +
    ":host([data-theme=light]){color-scheme:light}:host([data-theme=dark]){color-scheme:dark}*{box-sizing:border-box;font:inherit;color:inherit;unicode-bidi:plaintext}[hidden]{display:none!important}p{margin:0}" +
    ".w{font:15px/1.45 var(--rw-font,system-ui,sans-serif);color:var(--_fg);background:var(--_bg);border:1px solid var(--_bd);border-radius:var(--rw-radius,12px);padding:6px 12px;text-align:start}" +
    ".row,.act,.g{display:flex;flex-wrap:wrap;align-items:center;gap:4px 10px}.g{gap:0}" +
    "button{background:none;cursor:pointer;min-width:44px;min-height:44px;margin:0;border:1px solid var(--_bd);border-radius:22px;padding:0 14px}" +
    ".s{border:0;padding:0;color:var(--_off)}svg{width:30px;fill:currentColor;stroke:var(--_mut);stroke-width:1.2;stroke-linejoin:round}.on{color:var(--_on)}" +
    ".g:hover .s{color:var(--_off)}.g .s:hover,.g .s:has(~:hover){color:var(--_on)}" +
    ":focus-visible{outline:2px solid var(--_ac);outline-offset:2px}.sum,.lnk{border:0;padding:0 4px;color:var(--_mut)}.lnk{color:var(--_ac);text-decoration:underline}.info{position:relative}" +
    "ul{position:absolute;z-index:3;min-width:240px;margin:0;padding:8px 12px;list-style:none;display:grid;grid-template-columns:auto 1fr auto;gap:2px 8px;align-items:center;background:var(--_bg);border:1px solid var(--_bd);border-radius:10px;box-shadow:0 4px 16px #0004}" +
    "li{display:contents}b{flex:1;height:8px;background:var(--_off)}i{display:block;height:8px;background:var(--_on)}" +
    ".st:not(:empty){padding:4px 0}.act{color:var(--_mut)}" +
    "@media(prefers-reduced-motion:no-preference){.s{transition:.2s}.s:active{scale:.85}}";
  const HTML =
    "<div class=w part=root><div class=row><div role=radiogroup class=g data-l=label>" +
    '<button role=radio class=s part=star data-a=vote><svg viewBox="0 0 24 24" aria-hidden=true><path d="M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z"/></svg></button>'.repeat(5) +
    "</div><div class=info><button class=sum part=summary aria-controls=d data-a=sum></button>" +
    "<ul id=d data-l=dist hidden></ul></div></div><p class=st role=status part=status tabindex=-1></p>" +
    "<div class=act hidden><span></span><button data-a=change></button>" +
    "<button data-a=withdraw></button><button class=lnk part=more data-a=more></button></div></div>";
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);

  const memory = {}; // when the page's storage is blocked
  const load = (k) => { try { return localStorage[k]; } catch (e) { return memory[k]; } };
  const keep = (k, v) => { try { localStorage[k] = v; } catch (e) { memory[k] = v; } return v; };
  const voter = () =>
    /^\w{24}$/.test(load("rw-voter")) ? load("rw-voter") : keep("rw-voter", btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18)))).replace(/\W/g, "_"));
  const mine = (key, r) => {
    let all = {};
    try { all = JSON.parse(load("rw-votes")) || {}; } catch (e) {}
    if (r === undefined) return all[key] || 0;
    all[key] = r;
    keep("rw-votes", JSON.stringify(all));
    keep("rw-t", Date.now());
  };
  const canonical = () => (d.querySelector("link[rel=canonical]") || {}).href;
  const widgets = new Map();
  let pending = [];
  let formCode;
  let timer;

  const Widget = (host) => {
    const ds = host.dataset;
    const lang = host.closest("[lang]");
    const root = host.shadowRoot || host.attachShadow({ mode: "open" });
    const site = ds.site || "default";
    const post = ds.post || new URL(canonical() || location.href).pathname;
    const key = site + "/" + post;
    const title = ds.title || d.title;
    const ask = (ds.lang || (lang && lang.lang) || navigator.languages.join()).slice(0, 200);
    let cfg, data, plural, ld, pinned, form, stars, sum, dist, status, act, yours, more;

    const t = (k, n, vars) => {
      let m = cfg.messages[k] || k;
      if (typeof m == "object") m = m[plural.select(n)] || m.other;
      return m.replace(/\{(\w+)\}/g, (_, x) => (x == "n" ? n.toLocaleString(cfg.lang) : vars[x]));
    };
    const say = (text, where = status) => (where.textContent = text);
    const focusStar = (i) => { stars.forEach((b, j) => (b.tabIndex = i == j ? 0 : -1)); stars[i].focus(); };
    const openDist = (open) => { dist.hidden = !open || !data.count; sum.ariaExpanded = !dist.hidden; };

    const build = () => {
      const all = (q) => [...root.querySelectorAll(q)];
      root.innerHTML = HTML;
      root.adoptedStyleSheets = [sheet];
      for (const n of all("[data-t],.act [data-a]")) n.textContent = t(n.dataset.t || n.dataset.a);
      for (const n of all("[data-l]")) n.ariaLabel = t(n.dataset.l);
      (stars = all(".s")).forEach((b, i) => (b.ariaLabel = t("star", i + 1)));
      [sum, dist, status, act, yours, more] = ".sum ul .st .act span .lnk".split(" ").map((q) => root.querySelector(q));
      form = 0;
      root.firstChild.onclick = (e) => {
        const b = e.target.closest("button");
        const a = b && b.dataset.a;
        if (a == "vote") vote(stars.indexOf(b) + 1);
        if (a == "sum") openDist((pinned = !pinned));
        if (a == "change") focusStar(mine(key) - 1);
        if (a == "withdraw") withdraw();
        if (a == "more") openForm(1);
      };
      stars[0].parentNode.onkeydown = (e) => {
        const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
        let at = stars.indexOf(root.activeElement);
        if (e.key == "Home" || e.key == "End") at = e.key == "Home" ? 0 : 4;
        else if (!step || at < 0) return;
        else at += getComputedStyle(host).direction == "rtl" && /Left|Right/.test(e.key) ? -step : step;
        e.preventDefault();
        focusStar(Math.max(0, Math.min(4, at)));
      };
      sum.onmouseenter = () => openDist(1);
      sum.parentNode.onmouseleave = () => openDist(pinned);
    };

    const show = (next, c) => {
      if (c) {
        if (!cfg || cfg.lang != c.lang) stars = 0;
        plural = new Intl.PluralRules((cfg = c).lang);
      }
      if (!cfg) return;
      if (!stars) build();
      data = next;
      const r = mine(key);
      const n = data.count;
      const hide = cfg.hide_average && !r;
      const fill = r || (hide ? 0 : Math.round(data.average));
      const avg = data.average.toLocaleString(cfg.lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
      stars.forEach((b, i) => {
        b.classList.toggle("on", i < fill);
        b.ariaChecked = i + 1 == r;
        b.tabIndex = i == (r || 1) - 1 ? 0 : -1;
      });
      sum.textContent = !n ? t("empty") : hide ? t("votes", n) : t("summary", 0, { avg, votes: t("votes", n) });
      dist.replaceChildren();
      for (let i = 5; i; i--) {
        const k = data.distribution[i - 1];
        const li = dist.appendChild(d.createElement("li"));
        for (const x of [t("star", i), "", k.toLocaleString(cfg.lang)]) li.appendChild(d.createElement(x ? "span" : "b")).textContent = x;
        li.children[1].appendChild(d.createElement("i")).style.width = (n && (100 * k) / n) + "%";
      }
      openDist(pinned);
      act.hidden = !r;
      yours.textContent = r ? t("yours", 0, { star: t("star", r) }) : "";
      more.hidden = !r || r <= cfg.threshold || (form && form.open);
      ld ||= host.querySelector("script[data-rw]");
      if (!cfg.schema || !n) return ld && ld.remove();
      if (!ld || !ld.isConnected) (ld = host.appendChild(d.createElement("script"))).type = "application/ld+json";
      ld.textContent = JSON.stringify({
        "@context": "https://schema.org",
        "@type": cfg.schema,
        name: title,
        aggregateRating: { "@type": "AggregateRating", ratingValue: data.average, ratingCount: n },
      });
    };

    const call = (path, method, body, where) =>
      fetch(API + path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...body, site, post, voter: voter() }) })
        .then((r) => (r.ok ? r.json() : say(t({ 429: "too_many", 422: "invalid", 403: "refused" }[r.status] || "failed"), where) && 0))
        .catch(() => say(t("failed"), where) && 0);
    const everywhere = (next, r) => {
      mine(key, r);
      for (const o of widgets.values()) if (o.key == key) o.show(next);
    };

    const vote = (r) => {
      const url = ds.url || canonical() || location.href.split("#")[0];
      const body = { rating: r, title: title.slice(0, 300) || undefined };
      if (/^https?:/.test(url)) body.url = url.slice(0, 2000);
      call("votes", "POST", body).then((next) => {
        if (!next) return;
        everywhere(next, r);
        const low = r <= cfg.threshold;
        say(t("thanks"));
        if (low) openForm();
        else if (form && !form.dirty) closeForm();
      });
    };
    const withdraw = () =>
      call("votes", "DELETE", {}).then((next) => {
        if (!next) return;
        closeForm();
        everywhere(next, 0);
        say(t("withdrawn"));
        focusStar(0);
      });

    const closeForm = () => {
      if (form) form.close();
      more.hidden = mine(key) <= cfg.threshold;
    };
    // The form's code comes on first use (most readers never open it); see embed-form.js.
    const openForm = (focus) =>
      (formCode ||= new Promise((ok, no) => {
        const tag = d.head.appendChild(d.createElement("script"));
        tag.onload = () => ok(api.form);
        tag.onerror = () => no((formCode = 0));
        tag.src = API.slice(0, -7) + "embed-form.js";
      })).then((make) => {
        form ||= make({ box: status.parentNode, t, call, say, cfg, rating: () => mine(key), closed });
        form.show(focus);
        more.hidden = true;
      }, () => say(t("failed")));
    const closed = (sent) => {
      closeForm();
      if (sent) more.hidden = true;
      say(sent ? t("sent") : "");
      (sent ? status : more.hidden ? stars[(mine(key) || 1) - 1] : more).focus();
    };
    return { site, post, key, ask, show, drop: () => root.replaceChildren(ld && ld.remove()) };
  };

  const mount = (host) => {
    if (!host) return d.querySelectorAll("[data-rating-widget]").forEach((h) => mount(h));
    if (widgets.has(host)) return;
    widgets.set(host, Widget(host));
    pending.push(widgets.get(host));
    clearTimeout(timer);
    timer = setTimeout(fetchPending); // one request for every mount of this turn
  };
  const unmount = (host) => {
    if (widgets.has(host)) widgets.get(host).drop();
    widgets.delete(host);
  };
  const refresh = () => {
    pending = [...widgets.values()];
    fetchPending(true);
  };
  const fetchPending = (fresh) => {
    const groups = {};
    for (const o of pending.splice(0)) (groups[o.site] ||= []).push(o);
    const cache = fresh || Date.now() - load("rw-t") < 6e4 ? "no-cache" : "default";
    for (const site in groups) {
      const posts = [...new Set(groups[site].map((o) => o.post))];
      for (let i = 0; i < posts.length; i += 100) {
        const part = posts.slice(i, i + 100);
        const asks = [...new Set(groups[site].filter((o) => part.includes(o.post)).map((o) => o.ask))];
        let q = "summary?site=" + encodeURIComponent(site);
        for (const a of asks) q += "&lang=" + encodeURIComponent(a);
        for (const p of part) q += "&post=" + encodeURIComponent(p);
        fetch(API + q, { cache })
          .then((r) => r.json())
          .then((data) => {
            const cfg = data.site;
            for (const o of widgets.values())
              for (const p of data.posts)
                if (o.site == site && p.post == o.post && asks.includes(o.ask)) {
                  const lang = cfg.chosen[asks.indexOf(o.ask)];
                  o.show(p, { ...cfg, lang, messages: cfg.languages[lang] });
                }
          })
          .catch(() => {});
      }
    }
  };

  const api = { mount, unmount, refresh, push: (c) => api[c[0]](...c.slice(1)) };
  w.RatingWidget = api;
  if (Array.isArray(queue)) queue.forEach(api.push);
  if (d.readyState == "loading") d.addEventListener("DOMContentLoaded", () => mount());
  else mount();
})(window, document);
