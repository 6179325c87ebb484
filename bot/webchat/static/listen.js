// Relais web chat: listening to the bot's messages (issue 19). Loaded before chat.js.
// A message's audio is fetched with the session id in the X-Session header (never in a
// URL) and played from a blob; "read aloud" (kept in the session) plays each new message,
// one after the other. A language without a voice says so and offers a person.
"use strict";
window.RelaisListen = (page) => {
  // page: { t(key), status(text), session(), save(), hasVoice() }
  const $ = (id) => document.getElementById(id);
  const blobs = new Set();
  let queue = [];
  let playing = null;

  function controls(url) {
    const button = document.createElement("button");
    button.className = "listen";
    button.type = "button";
    button.setAttribute("aria-label", page.t("listen"));
    button.setAttribute("aria-pressed", "false");
    const icon = document.createElement("span");
    icon.textContent = "🔊";
    icon.setAttribute("aria-hidden", "true");
    button.append(icon);
    const audio = document.createElement("audio");
    audio.className = "voice";
    audio.preload = "none";
    audio.dataset.url = url;
    audio.addEventListener("ended", () => finished(audio));
    return [button, audio];
  }

  const mark = (audio, on) => audio.parentElement?.querySelector(".listen")?.setAttribute("aria-pressed", String(on));

  async function play(audio) {
    if (playing && playing !== audio) { playing.pause(); mark(playing, false); }
    playing = audio;
    mark(audio, true);
    try {
      if (!audio.src) {
        const response = await fetch(audio.dataset.url, { headers: { "X-Session": page.session().id } });
        if (!response.ok) throw new Error(String(response.status));
        const url = URL.createObjectURL(await response.blob());
        blobs.add(url);
        audio.src = url;
      }
      audio.currentTime = 0;
      await audio.play();
    } catch {
      page.status(page.t("audio_failed"));
      finished(audio);
    }
  }

  function finished(audio) {
    mark(audio, false);
    if (playing !== audio) return;
    playing = null;
    const following = queue.shift();
    if (following) play(following);
  }

  function stop() {
    queue = [];
    if (playing) { playing.pause(); mark(playing, false); playing = null; }
  }

  // The 🔊 of one message: play it, or stop it while it plays.
  function toggle(audio) {
    if (playing === audio && !audio.paused) return stop();
    queue = [];
    return play(audio);
  }

  // "Read aloud": the new messages of a turn, one after the other.
  function readAloud(nodes) {
    if (!page.session()?.readAloud) return;
    queue.push(...nodes.map((n) => n.querySelector("audio")).filter(Boolean));
    if (!playing && queue.length) play(queue.shift());
  }

  function show() {
    const on = Boolean(page.session()?.readAloud);
    $("read-aloud").setAttribute("aria-pressed", String(on));
    $("no-voice").hidden = !(on && !page.hasVoice());
  }

  function set(on) {
    const session = page.session();
    if (!session) return;
    session.readAloud = on;
    page.save();
    if (!on) stop();
    show();
  }

  function forget() {
    stop();
    blobs.forEach((url) => URL.revokeObjectURL(url));
    blobs.clear();
  }

  return { controls, toggle, readAloud, show, set, forget };
};
