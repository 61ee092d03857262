/* Rating Widget embed; why it is written so tersely: README.md "Embedding". The server minifies
 * it (widget/embed.py), so comments and spaces cost readers nothing. */
((w, d) => {
  "use strict";
  const queue = w.RatingWidget;
  if (queue && queue.mount) return; // included twice
  const src = d.currentScript || d.querySelector("script[src*='embed.js']");
  const API = new URL(src ? src.src : "/", location.href).origin + "/api/v1/";
  const CSS =
    ":host{display:block;color-scheme:light dark;--_fg:var(--rw-fg,light-dark(#1f2328,#e6edf3));--_mut:var(--rw-muted,light-dark(#57606a,#a8b1bb));--_bg:var(--rw-bg,light-dark(#fff,#161b22));--_bd:var(--rw-border,light-dark(#d0d7de,#3d444d));--_on:var(--rw-star,light-dark(#e08a00,#f5b83d));--_off:var(--rw-star-off,light-dark(#eceff2,#2d333b));--_ac:var(--rw-accent,light-dark(#0a5cc7,#6cb6ff))}" +
    "*{box-sizing:border-box;font:inherit;color:inherit;unicode-bidi:plaintext}[hidden]{display:none!important}p{margin:0}" +
    ".w{font:15px/1.45 var(--rw-font,system-ui,sans-serif);color:var(--_fg);background:var(--_bg);border:1px solid var(--_bd);border-radius:var(--rw-radius,12px);padding:6px 12px;text-align:start}" +
    ".row,.act,.g{display:flex;flex-wrap:wrap;align-items:center;gap:4px 10px}.g{gap:0}" +
    "button{background:none;cursor:pointer;min-width:44px;min-height:44px;margin:0;border:1px solid var(--_bd);border-radius:22px;padding:0 14px}" +
    // Each star is an empty star under a filled one (.a) clipped to --f (0..1) of its width:
    // the average paler (4.3: four whole stars and 30% of the fifth); the reader's own vote
    // (a checked radio), and the preview under the pointer or keyboard focus, at full strength.
    ".s{border:0;padding:0}svg{width:30px;fill:var(--_off);stroke:var(--_mut);stroke-width:1.2;stroke-linejoin:round}" +
    ".a{fill:var(--_on);opacity:.45;clip-path:inset(0 calc(100% - 100%*var(--f)) 0 0)}:dir(rtl) svg{scale:-1 1}.g:has([aria-checked=true]) .a{opacity:1}" +
    ".g:has(:hover,:focus-visible) .a{--f:0}.s:is(:hover,:focus-visible,:has(~:hover,~:focus-visible)) .a{--f:1;opacity:1}" +
    ":focus-visible{outline:2px solid var(--_ac);outline-offset:2px}.sum,.lnk{border:0;padding:0 4px;color:var(--_mut)}.lnk{color:var(--_ac);text-decoration:underline}.info{position:relative}" +
    "ul{position:absolute;z-index:3;min-width:240px;margin:0;padding:8px 12px;list-style:none;display:grid;grid-template-columns:auto 1fr auto;gap:2px 8px;align-items:center;background:var(--_bg);border:1px solid var(--_bd);border-radius:10px;box-shadow:0 4px 16px #0004}" +
    "li{display:contents}b{height:8px;background:var(--_off)}i{display:block;height:8px;background:var(--_on)}" +
    ".st:not(:empty){padding:4px 0}.act{color:var(--_mut)}.g[data-c]{outline:2px dashed var(--_ac);outline-offset:2px;border-radius:22px}" +
    // Until the numbers come, the host's own content (a build-time fragment, which has the
    // widget's height) shows as it is; an empty host gets the widget's frame at its height.
    ".w>slot{display:flex;align-items:center;min-height:44px}::slotted(*){margin:0}" +
    "@media(prefers-reduced-motion:no-preference){.s{transition:.2s}.s:active{scale:.85}}";
  const STAR = "M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z";
  const HTML =
    "<div class=w part=root><div class=row><div role=radiogroup class=g data-l=label>" +
    `<button role=radio class=s part=star data-a=vote><svg viewBox="0 0 24 24" aria-hidden=true><path d="${STAR}"/><path class=a d="${STAR}"/></svg></button>`.repeat(5) +
    "</div><div class=info><button class=sum part=summary aria-controls=d data-a=sum></button>" +
    "<ul id=d data-l=dist hidden></ul></div></div><p class=st role=status part=status tabindex=-1></p>" +
    "<div class=act hidden><span></span><button data-a=change></button>" +
    "<button data-a=withdraw></button><button class=lnk part=more data-a=more></button></div></div>";
  // Said when the summary cannot be had (its catalogue comes with it); the server fills in
  // every language of widget/locales/*.po ("unavailable").
  const UNAVAILABLE = { en: "Ratings are unavailable right now." };
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
  // The page's own light or dark: what <html> or <body> declare (data-theme="dark|light", a
  // class "dark"/"light", one computed color-scheme), else the shade of their background (a
  // page whose light mode is just "no dark class"); "" when neither says: the reader's system
  // decides (light-dark() in the CSS).
  const scheme = () => {
    const two = [d.documentElement, d.body || d.documentElement];
    for (const e of two) {
      const s = e.dataset.theme || (/(^|\s)(dark|light)(\s|$)/.exec(e.className) || [])[2] || getComputedStyle(e).colorScheme.replace("only ", "");
      if (/^(dark|light)$/.test(s)) return s;
    }
    for (const e of two.reverse()) {
      const [r, g, b, a = 1] = getComputedStyle(e).backgroundColor.match(/[\d.]+/g);
      if (+a) return r * 0.3 + g * 0.6 + b * 0.1 < 128 ? "dark" : "light";
    }
    return "";
  };
  const widgets = new Map();
  let pending = [];
  let formCode;
  let timer;

  const Widget = (host) => {
    const ds = host.dataset;
    const lang = host.closest("[lang]");
    // Only inside our own shadow root: the host's children (a server-rendered fragment, what a
    // framework hydrates) stay as they are, shown through the slot until the numbers come.
    const root = host.shadowRoot || host.attachShadow({ mode: "open" });
    const site = ds.site || "default";
    const post = ds.post || new URL(canonical() || location.href).pathname;
    const key = site + "/" + post;
    // Read when a vote is sent: a router sets the title and URL after the element appears.
    const title = () => (ds.title || d.title).slice(0, 300) || undefined;
    const url = () => ds.url || canonical() || location.href.split("#")[0];
    const ask = (ds.lang || (lang && lang.lang) || navigator.languages.join()).slice(0, 200);
    let cfg, data, plural, pinned, form, stars, sum, dist, status, act, yours, more, secret, want, busy, later;
    const paint = () => (root.firstChild.style.colorScheme = /^(light|dark)$/.test(ds.theme) ? ds.theme : scheme() || "light dark");
    root.innerHTML = host.children.length ? "<slot></slot>" : "<div class=w part=root><slot></slot></div>";
    root.adoptedStyleSheets = [sheet];
    paint();
    // The page's JSON-LD for this post, in <head> where no framework owns it.
    const jsonld = () => [...d.head.querySelectorAll("[data-rw]")].find((e) => e.dataset.rw == key);

    const t = (k, n, vars) => {
      let m = cfg.messages[k] || k;
      if (typeof m == "object") m = m[plural.select(n)] || m.other;
      return m.replace(/\{(\w+)\}/g, (_, x) => (x == "n" ? n.toLocaleString(cfg.lang) : vars[x]));
    };
    const say = (text, where = status) => (where.textContent = text);
    const focusStar = (i) => { stars.forEach((b, j) => (b.tabIndex = i == j ? 0 : -1)); stars[i].focus(); };
    // Change: the stars wait, ringed, for the new choice (after a mouse click no focus shows).
    const choose = (on) => {
      const g = stars[0].parentNode.dataset;
      on ? (g.c = 1) : delete g.c;
      say(on ? t("label") : "");
    };
    const openDist = (open) => { dist.hidden = !open || !data.count || secret; sum.ariaExpanded = !dist.hidden; };

    const build = () => {
      const all = (q) => [...root.querySelectorAll(q)];
      root.innerHTML = HTML;
      paint();
      for (const n of all(".act [data-a]")) n.textContent = t(n.dataset.a);
      for (const n of all("[data-l]")) n.ariaLabel = t(n.dataset.l);
      (stars = all(".s")).forEach((b, i) => (b.ariaLabel = t("star", i + 1)));
      [sum, dist, status, act, yours, more] = ".sum ul .st .act span .lnk".split(" ").map((q) => root.querySelector(q));
      form = 0;
      root.firstChild.onclick = (e) => {
        const b = e.target.closest("button");
        const a = b && b.dataset.a;
        if (a == "vote") vote(stars.indexOf(b) + 1);
        if (a == "sum") openDist((pinned = !pinned));
        // Change: the stars wait, ringed, for the new choice (a mouse click shows no focus).
        if (a == "change") choose(1), focusStar(mine(key) - 1);
        if (a == "withdraw") withdraw();
        if (a == "more") openForm(1);
      };
      root.firstChild.onkeydown = (e) => {
        // Escape closes what is open: the distribution first, then the form (which gives focus back).
        if (e.key == "Escape") {
          if (!dist.hidden) openDist((pinned = 0));
          else if (stars[0].parentNode.dataset.c) choose();
          else if (form && form.open) closed();
          else return;
          return e.stopPropagation();
        }
        // Arrows, Home and End move between the stars (the radio group's keys).
        const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -5, End: 5 }[e.key];
        let at = stars.indexOf(root.activeElement);
        if (!step || at < 0) return;
        at += getComputedStyle(host).direction == "rtl" && /Left|Right/.test(e.key) ? -step : step;
        e.preventDefault();
        focusStar(Math.max(0, Math.min(4, at)));
      };
      sum.onmouseenter = () => openDist(1);
      sum.parentNode.onmouseleave = () => openDist(pinned);
    };

    const show = (next, c) => {
      if (c) {
        if (!cfg || cfg.lang != c.lang || cfg.down) stars = 0;
        plural = new Intl.PluralRules((cfg = c).lang);
      }
      if (!cfg) return;
      if (!stars) build();
      data = next;
      const r = mine(key);
      const n = data.count;
      const hide = (secret = cfg.hide_average && !r);
      const avg = data.average.toLocaleString(cfg.lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
      stars.forEach((b, i) => {
        b.style.cssText = "--f:" + ((r || (!hide && data.average)) - i);
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
      act.hidden = !r || cfg.down;
      sum.parentNode.hidden = cfg.down;
      yours.textContent = r ? t("yours", 0, { star: t("star", r) }) : "";
      more.hidden = !r || r <= cfg.threshold || (form && form.open);
      if (want) vote(want, (want = 0)); // the star chosen while the service was away
      describe();
    };
    // The post for search engines. A fragment's JSON-LD (built with the page) stays as built,
    // and none is added beside it. Written again when the page's title changes (a router).
    const describe = () => {
      if (!data || cfg.down || host.querySelector("script[data-rw]")) return;
      const n = data.count;
      let ld = jsonld();
      if (!cfg.schema || !n) return ld && ld.remove();
      if (!ld) (ld = d.head.appendChild(d.createElement("script"))).type = "application/ld+json";
      ld.dataset.rw = key;
      ld.textContent = JSON.stringify({
        "@context": "https://schema.org",
        "@type": cfg.schema,
        name: title(),
        url: /^https?:/.test(url()) ? url() : undefined,
        aggregateRating: { "@type": "AggregateRating", ratingValue: data.average, ratingCount: n, bestRating: 5, worstRating: 1 },
      });
    };

    const call = (path, method, body, where) =>
      fetch(API + path, { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...body, site, post, voter: voter() }) })
        .then((r) => (r.ok ? r.json() : say(t({ 429: "too_many", 422: path == "votes" ? "vote_invalid" : "invalid", 403: "refused" }[r.status] || "failed"), where) && 0))
        .catch(() => say(t("failed"), where) && 0);
    const everywhere = (next, r) => {
      mine(key, r);
      for (const o of widgets.values()) if (o.key == key) o.show(next);
    };

    // One write in flight per widget; clicks meanwhile keep only the latest, sent next, so the
    // reader's last choice is the one stored however fast they click.
    const write = (job) => {
      if (busy) return (later = job);
      busy = job().finally(() => {
        busy = 0;
        if (later) write(later, (later = 0));
      });
    };
    const vote = (r) => {
      // Without the summary there are no texts or settings yet: try for them now, vote after.
      if (cfg.down) {
        want = r;
        return again(self);
      }
      choose();
      write(() =>
        call("votes", "POST", { rating: r, title: title(), url: /^https?:/.test(url()) ? url().slice(0, 2000) : undefined }).then((next) => {
          if (!next) return;
          everywhere(next, r);
          if (later) return;
          say(t("thanks"));
          if (r <= cfg.threshold) openForm();
          else if (form && !form.dirty) closeForm();
        })
      );
    };
    const withdraw = () =>
      write(() =>
        call("votes", "DELETE", {}).then((next) => {
          if (!next) return;
          closeForm();
          everywhere(next, 0);
          if (later) return;
          say(t("withdrawn"));
          focusStar(0);
        })
      );

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
    // The summary failed: the stars stay (so a reader can still vote once the service is back)
    // with the one text embed.js carries, in the page's language.
    const down = () => {
      if (cfg) return; // the numbers, or this line, are there already
      let lang = ask.slice(0, 2).toLowerCase();
      if (!UNAVAILABLE[lang]) lang = "en";
      const m = UNAVAILABLE[lang];
      show({ count: 0, average: 0, distribution: [0, 0, 0, 0, 0] }, { lang, down: 1, messages: { label: m, star: "{n}/5" } });
      say(m);
    };
    const self = { site, post, key, ask, show, down, paint, jsonld, describe, drop: () => root.replaceChildren() };
    return self;
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
    const o = widgets.get(host);
    if (!o) return;
    o.drop();
    widgets.delete(host);
    // The post's JSON-LD leaves with its last widget (a router's next page is another post).
    if (![...widgets.values()].some((x) => x.key == o.key)) o.jsonld()?.remove();
  };
  const refresh = () => again(...widgets.values());
  const again = (...some) => {
    pending.push(...some);
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
        const asked = groups[site].filter((o) => part.includes(o.post));
        const asks = [...new Set(asked.map((o) => o.ask))];
        let q = "summary?site=" + encodeURIComponent(site);
        for (const a of asks) q += "&lang=" + encodeURIComponent(a);
        for (const p of part) q += "&post=" + encodeURIComponent(p);
        const get = (retry) =>
          fetch(API + q, { cache: retry ? "no-cache" : cache })
            .then((r) => (r.ok ? r.json() : Promise.reject(r)))
            .then((data) => {
              const cfg = data.site;
              for (const o of widgets.values())
                for (const p of data.posts)
                  if (o.site == site && p.post == o.post && asks.includes(o.ask)) {
                    const lang = cfg.chosen[asks.indexOf(o.ask)];
                    o.show(p, { ...cfg, lang, messages: cfg.languages[lang] });
                  }
            })
            .catch((r) => {
              for (const o of widgets.values()) if (asked.includes(o)) o.down();
              // A refused origin or an unknown site is the site owner's to fix: one line in the
              // console (the server's words name the origin and the site), and no retry.
              if (r.status == 403 || r.status == 404) return r.json().then((e) => console.error("Rating Widget: " + e.error.message), () => 0);
              // Once more after a while: Retry-After on a 429 (capped at 30 s), else 3 s.
              if (!retry) setTimeout(get, 1e3 * Math.min(30, +r.headers?.get("Retry-After") || 3), 1);
            });
        get();
      }
    }
  };

  const api = { mount, unmount, refresh, push: (c) => api[c[0]](...c.slice(1)) };
  w.RatingWidget = api;
  if (Array.isArray(queue)) queue.forEach(api.push);
  mount();
  // Elements a router, a framework or the parser adds later mount by themselves, removed ones
  // unmount, and one whose post, site or language changes starts again; the page's theme
  // attributes on <html> and <body> repaint every widget.
  const SEL = "[data-rating-widget]";
  new MutationObserver((changes) => {
    let page;
    for (const { type, target: e, addedNodes, attributeName: a, oldValue } of changes) {
      if (e.nodeName == "TITLE") for (const o of widgets.values()) o.describe();
      if (type == "childList") {
        for (const n of addedNodes) if (n.querySelectorAll) [n, ...n.querySelectorAll(SEL)].forEach((h) => h.matches(SEL) && mount(h));
      } else if (e == d.documentElement || e == d.body) page = 1;
      else if (!widgets.has(e)) e.matches(SEL) && mount(e);
      else if (a == "data-theme") widgets.get(e).paint();
      else if (/^data-(post|site|lang|rating)/.test(a) && oldValue != e.getAttribute(a)) unmount(e), e.matches(SEL) && mount(e);
    }
    for (const h of widgets.keys()) if (!h.isConnected) unmount(h);
    if (page) for (const o of widgets.values()) o.paint();
  }).observe(d.documentElement, {
    childList: 1,
    subtree: 1,
    attributeOldValue: 1,
    attributeFilter: ["class", "style", "data-theme", "data-md-color-scheme", "data-post", "data-site", "data-lang", "data-rating-widget"],
  });
})(window, document);
