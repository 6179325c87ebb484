// Relais web chat: buttons and free text over the web chat API, in the person's language.
// Resumes after a reload or the back button (session in sessionStorage, never in the URL,
// so a shared tablet's history holds nothing); polls for a conseiller's later replies.
// Kiosk mode (?kiosk=SOURCE): a start screen, and "finish" clears everything.
// On the bus, the start screen's "met" button counts young people met: a number per day
// and stop (&place=STOP, or the kiosk's source), nothing else (bot/webchat/kiosk.py).
// Listening (listen.js): a 🔊 button on each bot message plays it (fetched with the session id in the
// X-Session header, played from a blob); "read aloud" (kept for the session) plays each new one.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const SOURCE_RE = /^[A-Za-z0-9_.-]{1,64}$/;
  const kiosk = SOURCE_RE.test(params.get("kiosk") || "") ? params.get("kiosk") : null;
  const source = kiosk || (SOURCE_RE.test(params.get("source") || "") ? params.get("source") : null);
  // The bus stop counted: `place`, else the kiosk's source when it names a stop (the
  // server answers 404 for any other: the count is then kept without a place).
  let metPlace = kiosk && (SOURCE_RE.test(params.get("place") || "") ? params.get("place") : kiosk);
  const STORE = "relais-chat";
  const POLL_MS = 3000;
  const KIOSK_IDLE_MS = 5 * 60 * 1000;
  const uiCache = new Map();
  let ui = { lang: "fr", direction: "ltr", languages: [], strings: {} };
  let session = read();
  let chain = Promise.resolve();
  let sending = 0;
  let pollTimer = null;
  let idleTimer = null;

  class Gone extends Error {}
  // 503: the server is up but cannot store anything for a moment; nothing was kept.
  class Unavailable extends Error {}
  const failure = (error) => t(error instanceof Unavailable ? "unavailable" : "offline");

  function read() {
    try { return JSON.parse(sessionStorage.getItem(STORE)); } catch { return null; }
  }
  function write() {
    if (session) sessionStorage.setItem(STORE, JSON.stringify(session));
    else sessionStorage.removeItem(STORE);
  }
  const t = (key) => ui.strings[key] || "";
  // Network calls run one after another, so a poll never races a turn.
  const serial = (task) => (chain = chain.then(task, task));

  async function api(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    if (response.status === 404) throw new Gone(path);
    if (response.status === 503) throw new Unavailable(path);
    if (!response.ok) throw new Error(String(response.status));
    return response.status === 204 ? null : response.json();
  }

  // --- language, direction and the page's own sentences --------------------------
  // A catalog code as an HTML lang: fa_AF → fa-AF; a variant such as fr_FALC (simple
  // French) is French to browsers and screen readers.
  const htmlLang = (code) => (/_[A-Z]{2}$/.test(code) ? code.replace("_", "-") : code.split("_")[0]);
  async function useLanguage(lang) {
    const hint = lang || navigator.language || "fr";
    if (!uiCache.has(hint)) uiCache.set(hint, await api("GET", "/webchat/ui?lang=" + encodeURIComponent(hint)));
    ui = uiCache.get(hint);
    const root = document.documentElement;
    root.lang = htmlLang(ui.lang);
    root.dir = ui.direction;
    document.title = t("page_title");
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    document.querySelectorAll("[data-t-label]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.tLabel)));
    document.querySelectorAll("[data-t-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.tPlaceholder); });
    const select = $("lang-select");
    if (!select.options.length) {
      for (const language of ui.languages) {
        const option = new Option(language.name, language.code);
        option.lang = htmlLang(language.code);
        option.dir = language.direction;
        select.add(option);
      }
    }
    select.value = ui.lang;
    if (session) { session.lang = ui.lang; write(); }
    listening.show();
  }

  async function refreshLanguage() {
    const info = await api("GET", `/webchat/sessions/${session.id}`);
    if (info.lang !== ui.lang) await useLanguage(info.lang);
  }

  // --- the conversation log ---------------------------------------------------------
  const log = $("log");
  function node(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // Only links the server made: a number to call or an address to open in a map.
  const SAFE_LINK = /^(tel:\+?[0-9]+|https:\/\/www\.openstreetmap\.org\/search\?query=[^\s"<>]*)$/;

  // The message text, with its phone numbers and addresses as links (never as HTML).
  function textOf(message) {
    const p = node("p", "text");
    const parts = message.parts && message.parts.length ? message.parts : [{ text: message.text }];
    for (const part of parts) {
      if (part.href && SAFE_LINK.test(part.href)) {
        const link = node("a", "inline-link", part.text);
        link.href = part.href;
        if (part.href.startsWith("https:")) {
          link.target = "_blank";
          link.rel = "noopener noreferrer";
        }
        p.append(link);
      } else {
        p.append(document.createTextNode(part.text));
      }
    }
    return p;
  }

  function bubble(message) {
    const div = node("div", "msg bot" + (message.urgent ? " urgent" : ""));
    div.dir = "auto";
    if (message.urgent) {
      const tag = node("strong", "tag", "⚠ " + t("urgent"));
      tag.dir = ui.direction; // its own direction, so the bubble's `auto` follows the text
      div.append(tag);
    }
    if (message.audio) div.append(...listening.controls(message.audio));
    div.append(textOf(message)); // the bubble's dir="auto" reads this text
    if (message.calendar_url) {
      const link = node("a", "calendar", "📅 " + t("calendar"));
      link.href = message.calendar_url;
      link.dir = ui.direction;
      div.append(link);
    }
    return div;
  }

  function buttonRow(message) {
    const row = node("div", "choices");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", t("choices"));
    for (const choice of message.buttons) {
      const button = node("button", "choice", choice.label);
      button.type = "button";
      button.dir = "auto";
      button.dataset.payload = choice.payload;
      row.append(button);
    }
    return row;
  }

  // Renders a batch of bot messages; returns the nodes (to replace them if needed).
  function render(messages) {
    const added = [];
    for (const message of messages) {
      added.push(bubble(message));
      if (message.buttons && message.buttons.length) added.push(buttonRow(message));
    }
    log.append(...added);
    added.at(-1)?.scrollIntoView({ block: "end" });
    return added;
  }

  function mineNode(text) {
    const div = node("div", "msg me");
    const label = node("span", "sr-only", t("you_said") + " ");
    label.dir = ui.direction;
    div.dir = "auto";
    div.append(label, node("p", "text", text));
    return div;
  }

  function mine(text) {
    const div = mineNode(text);
    log.append(div);
    div.scrollIntoView({ block: "end" });
    return div;
  }

  // What the person said, kept in this tab's sessionStorage with the session (cleared
  // with it: "finish" on the kiosk, or closing the tab), so that a reload shows their
  // answers between the questions again: [cursor before the turn, text].
  const SAID_KEPT = 200;
  function remember(current, before, text) {
    current.said = [...(current.said || []), [before, text]].slice(-SAID_KEPT);
  }

  function renderHistory(messages, said) {
    const added = [];
    const mineAt = new Map();
    for (const [after, text] of said || []) {
      const at = Math.min(after, messages.length);
      mineAt.set(at, [...(mineAt.get(at) || []), text]);
    }
    messages.forEach((message, index) => {
      for (const text of mineAt.get(index) || []) added.push(mineNode(text));
      added.push(bubble(message));
      if (message.buttons && message.buttons.length) added.push(buttonRow(message));
    });
    for (const text of mineAt.get(messages.length) || []) added.push(mineNode(text));
    log.append(...added);
    added.at(-1)?.scrollIntoView({ block: "end" });
  }

  const clearChoices = () => log.querySelectorAll(".choices").forEach((row) => row.remove());
  const status = (text) => { $("status").textContent = text; };
  const listening = window.RelaisListen({
    t,
    status,
    session: () => session,
    save: write,
    hasVoice: () => Boolean(ui.languages.find((l) => l.code === ui.lang)?.voice),
  });

  // --- turns ------------------------------------------------------------------------
  const newId = () => (crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);
  // A message whose answer was lost on a weak connection is sent again with the same id,
  // so the server handles it once (and answers the same).
  let unanswered = { key: null, id: null };
  function messageId(body) {
    const key = JSON.stringify(body);
    if (unanswered.key !== key) unanswered = { key, id: newId() };
    return unanswered.id;
  }

  function send(body, echo) {
    if (!session) return;
    const current = session;
    const hadFocus = document.activeElement?.classList.contains("choice");
    sending += 1;
    log.querySelectorAll(".choice").forEach((b) => { b.disabled = true; });
    const echoed = mine(echo);
    serial(async () => {
      const before = current.cursor;
      try {
        const data = await api("POST", `/webchat/sessions/${current.id}/messages`, { ...body, message_id: messageId(body) });
        unanswered = { key: null, id: null };
        if (session !== current) return; // finished meanwhile (kiosk)
        clearChoices();
        status("");
        let batch = render(data.messages);
        remember(current, before, echo);
        current.cursor = data.cursor;
        write();
        // A conseiller's reply may have come in since the last poll: fetch from the
        // cursor we had, and redraw the batch if anything precedes this turn's replies.
        const all = await api("GET", `/webchat/sessions/${current.id}/messages?after=${before}`);
        if (session !== current) return;
        if (all.messages.length > data.messages.length) {
          batch.forEach((n) => n.remove());
          batch = render(all.messages);
        }
        current.cursor = Math.max(current.cursor, all.cursor);
        write();
        listening.readAloud(batch);
        // A keyboard user who tapped a choice goes on from the next question's first one,
        // unless they moved on meanwhile (typing in the text field): never take it away.
        const lost = !document.activeElement || document.activeElement === document.body;
        if (hadFocus && lost) log.querySelector(".choice")?.focus({ preventScroll: true });
        const picked = (body.payload || "").match(/^(?:entry\.language|nav\.lang)\.(.+)$/);
        if (picked) await useLanguage(picked[1]);
        else if (body.text) await refreshLanguage();
      } catch (error) {
        if (session !== current) return;
        if (error instanceof Gone) return restartAfterGone();
        echoed.remove();
        log.querySelectorAll(".choice").forEach((b) => { b.disabled = false; });
        if (body.text) $("text").value = body.text;
        status(failure(error));
      } finally {
        sending -= 1;
      }
    });
  }

  // The language menu: one visible turn, `nav.lang.<code>`. The engine switches the
  // conversation's language and asks the current question again in it, answers kept (before
  // a language is chosen it is the choice itself).
  function switchLanguage(code, name) {
    send({ payload: `nav.lang.${code}` }, name);
  }

  function poll() {
    clearTimeout(pollTimer);
    pollTimer = null;
    if (!session || document.hidden) return;
    const current = session;
    serial(async () => {
      if (session !== current || sending) return;
      try {
        const data = await api("GET", `/webchat/sessions/${current.id}/messages?after=${current.cursor}`);
        if (session !== current) return;
        if (data.messages.length) listening.readAloud(render(data.messages));
        current.cursor = data.cursor;
        write();
      } catch (error) {
        if (session === current && error instanceof Gone) return restartAfterGone();
      }
    }).then(() => { if (session && !pollTimer) pollTimer = setTimeout(poll, POLL_MS); });
  }

  async function start() {
    const body = { lang: ui.lang };
    if (source) body.source = source;
    const data = await api("POST", "/webchat/sessions", body);
    session = { id: data.session_id, cursor: data.cursor, lang: ui.lang };
    write();
    showChat();
    render(data.messages);
    await refreshLanguage();
    poll();
  }

  async function resume() {
    showChat();
    try {
      const data = await api("GET", `/webchat/sessions/${session.id}/messages?after=0`);
      renderHistory(data.messages, session.said);
      // Only the last question's buttons are still useful.
      const rows = log.querySelectorAll(".choices");
      Array.from(rows).slice(0, -1).forEach((row) => row.remove());
      session.cursor = data.cursor;
      write();
      await refreshLanguage();
      poll();
    } catch (error) {
      if (error instanceof Gone) return restartAfterGone();
      status(failure(error));
    }
  }

  function restartAfterGone() {
    forget();
    if (kiosk) showStart(false);
    else start().catch((error) => status(failure(error)));
  }

  // --- kiosk ------------------------------------------------------------------------
  function showChat() {
    $("start-screen").hidden = true;
    $("chat").hidden = false;
    $("finish").hidden = !kiosk;
  }

  function showStart(thanks) {
    loadMet();
    $("chat").hidden = true;
    $("finish").hidden = true;
    $("confirm-finish").hidden = true;
    $("start-screen").hidden = false;
    $("thanks").hidden = !thanks;
    $("start").disabled = false;
    $("start").focus();
  }

  function forget() {
    clearTimeout(pollTimer);
    pollTimer = null;
    listening.forget();
    session = null;
    listening.show();
    log.replaceChildren();
    $("text").value = "";
    status("");
    sessionStorage.clear();
  }

  async function finish() {
    const ended = session;
    forget();
    showStart(true);
    if (ended) serial(() => api("POST", `/webchat/sessions/${ended.id}/end`).catch(() => {}));
    await useLanguage(null);
  }

  // The "met today" counter: shown only in kiosk mode, a failure leaves it as it was.
  const metPath = () => "/webchat/kiosk/met" + (metPlace ? "?place=" + encodeURIComponent(metPlace) : "");
  const showMet = (found) => { $("met-count").value = String(found.count); $("met-box").hidden = false; };
  function loadMet() {
    if (!kiosk) return;
    api("GET", metPath()).then(showMet).catch((error) => {
      if (!(error instanceof Gone) || !metPlace) return;
      metPlace = null;
      loadMet();
    });
  }
  $("met").addEventListener("click", () => {
    $("met").disabled = true;
    api("POST", "/webchat/kiosk/met", { place: metPlace })
      .then(showMet)
      .catch(() => {})
      .finally(() => { $("met").disabled = false; });
  });

  function armIdleTimer() {
    clearTimeout(idleTimer);
    if (kiosk && session) idleTimer = setTimeout(finish, KIOSK_IDLE_MS);
  }

  // --- wiring -----------------------------------------------------------------------
  log.addEventListener("click", (event) => {
    const listen = event.target.closest(".listen");
    if (listen) return listening.toggle(listen.parentElement.querySelector("audio"));
    const button = event.target.closest(".choice");
    // The menu's 🔊 button is this page's "read aloud" setting: nothing to send.
    if (button && button.dataset.payload === "nav.voice") return listening.set(!session?.readAloud);
    if (button && !button.disabled) send({ payload: button.dataset.payload }, button.textContent);
  });
  $("read-aloud").addEventListener("click", () => listening.set(!session?.readAloud));
  $("no-voice-person").addEventListener("click", (event) => {
    $("no-voice").hidden = true;
    send({ payload: "nav.human" }, event.target.textContent);
  });
  $("form").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("text");
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text }, text);
  });
  $("lang-select").addEventListener("change", async (event) => {
    const code = event.target.value;
    if (!session) return useLanguage(code);
    switchLanguage(code, event.target.selectedOptions[0].textContent);
  });
  $("start").addEventListener("click", () => {
    $("start").disabled = true;
    start().catch(() => { $("start").disabled = false; $("thanks").hidden = true; });
  });
  $("finish").addEventListener("click", () => { $("confirm-finish").hidden = false; $("finish-yes").focus(); });
  $("finish-no").addEventListener("click", () => { $("confirm-finish").hidden = true; $("finish").focus(); });
  $("finish-yes").addEventListener("click", finish);
  ["pointerdown", "keydown"].forEach((name) => document.addEventListener(name, armIdleTimer));
  document.addEventListener("visibilitychange", poll);
  window.addEventListener("pageshow", (event) => { if (event.persisted) poll(); });
  if (kiosk) document.body.classList.add("kiosk");
  if (kiosk && !session) showStart(false);

  useLanguage(session ? session.lang : params.get("lang"))
    .then(() => {
      if (session) return resume();
      if (kiosk) return showStart(false);
      return start();
    })
    .catch(() => status(t("offline") || "…"));
})();
