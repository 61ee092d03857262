/* Rating Widget: the feedback form. embed.js loads this file the first time a reader needs the
 * form (a low rating, or "tell the author more"), so a first view costs one small request for
 * code. Plain JavaScript, no build step; data goes into the page with textContent only. */
((w, d) => {
  "use strict";
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(
    ":host{--_err:var(--rw-error,light-dark(#b42318,#ff9b8f))}form{display:grid;gap:8px;padding:8px 0}.q{font-weight:600}.chips{display:flex;flex-wrap:wrap;gap:6px}" +
      "[aria-pressed=true],.pri{background:var(--_ac);border-color:var(--_ac);color:var(--_bg)}" +
      "textarea{background:none;border:1px solid var(--_bd);border-radius:8px;padding:8px;min-height:90px;resize:vertical}" +
      ".cnt{font-size:13px;color:var(--_mut)}.err{color:var(--_err)}.err:empty{display:none}"
  );

  const el = (parent, tag, attrs, text) => {
    const node = parent.appendChild(d.createElement(tag));
    for (const name in attrs) node.setAttribute(name, attrs[name]);
    if (text) node.textContent = text;
    return node;
  };

  // Called by embed.js with what the form needs from its widget; returns {show, close, open, dirty}.
  w.RatingWidget.form = ({ box, t, call, say, cfg, rating, closed }) => {
    const root = box.getRootNode();
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    const form = el(box, "form", { part: "form", novalidate: "", hidden: "" });
    el(form, "p", { class: "q", id: "q" }, t("ask"));
    const chips = el(form, "div", { class: "chips", role: "group", "aria-labelledby": "q" });
    for (const slug of cfg.reasons) {
      const label = cfg.messages["reason_" + slug];
      el(chips, "button", { type: "button", "data-r": slug, part: "chip" }, typeof label == "string" ? label : slug);
    }
    el(form, "label", { for: "ta" }, t("note"));
    // maxlength stops typing at the limit; the counter counts down to it in the reader's words.
    const area = el(form, "textarea", { id: "ta", rows: 3, maxlength: cfg.feedback_max, "aria-describedby": "cnt" });
    const count = el(form, "p", { class: "cnt", id: "cnt", "aria-live": "polite" });
    // The honeypot: people never see it; a bot that fills it in is held against by the server.
    const honeypot = el(form, "input", { name: "hp", hidden: "", tabindex: -1, autocomplete: "off" });
    const error = el(form, "p", { class: "err", role: "alert" });
    const buttons = el(form, "div", { class: "act" });
    el(buttons, "button", { class: "pri", part: "send" }, t("send"));
    const cancel = el(buttons, "button", { type: "button", part: "cancel" }, t("cancel"));

    let reason = null;
    let openedAt = 0;
    const self = { open: false, dirty: false };
    const counted = () => (count.textContent = t("left", cfg.feedback_max - area.value.length));

    chips.onclick = (event) => {
      const chip = event.target.closest("button");
      if (!chip) return;
      reason = reason === chip.dataset.r ? null : chip.dataset.r;
      for (const c of chips.children) c.ariaPressed = c.dataset.r === reason;
    };
    area.oninput = () => {
      self.dirty = true;
      counted();
    };
    cancel.onclick = () => closed(false);
    form.onsubmit = (event) => {
      event.preventDefault();
      const text = area.value.trim();
      area.ariaInvalid = !text;
      say(text ? "" : t("need_text"), error);
      if (!text) return area.focus();
      const body = {
        text,
        rating: rating() || undefined,
        reason: reason || undefined,
        lang: cfg.lang,
        hp: honeypot.value,
        open_ms: Date.now() - openedAt,
      };
      call("feedback", "POST", body, error).then((ok) => ok && (reset(), closed(true)));
    };

    // A sent note is cleared; one closed unsent (Not now, Escape) waits as it was for the
    // reader's return.
    const reset = () => {
      self.dirty = false;
      area.value = "";
      reason = null;
      for (const c of chips.children) c.ariaPressed = false;
      counted();
    };
    self.show = (focus) => {
      if (!self.open) {
        self.open = true;
        form.hidden = false;
        error.textContent = "";
        area.ariaInvalid = null;
        openedAt = Date.now();
      }
      if (focus) area.focus();
    };
    reset();
    self.close = () => {
      self.open = false;
      form.hidden = true;
    };
    return self;
  };
})(window, document);
