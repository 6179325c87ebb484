// The live inbox: polls GET /inbox/changes every few seconds (a cheap "since" query, fine
// behind nginx). New referrals refresh the list without a reload; an urgent one still new
// rings a short WebAudio beep (no sound file) and shows in the tab's title as "(n) …".
// Also the "my team's queue" filter, filled with the account's queues.
import { api, el, notify, select, t } from "./inbox-core.js";

const EVERY_MS = 3000;
let timer = null;
let generation = 0;
let latest = null;
let urgentWaiting = 0;
let scope = null;
let sound = null;
let tick = null;
let polls = 0;

function title(count) {
  const plain = t("page_title");
  document.title = count > 0 ? `(${count}) ${plain}` : plain;
}

// Browsers start audio only after a gesture: the sign-in click or any later one.
function unlockSound() {
  if (!sound && window.AudioContext) sound = new AudioContext();
  if (sound?.state === "suspended") sound.resume();
}

function beep() {
  document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);
  if (!sound) return;
  const tone = sound.createOscillator();
  const gain = sound.createGain();
  tone.frequency.value = 880;
  gain.gain.setValueAtTime(0.2, sound.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.001, sound.currentTime + 0.4);
  tone.connect(gain).connect(sound.destination);
  tone.start();
  tone.stop(sound.currentTime + 0.4);
}

async function poll(refresh) {
  const team = document.getElementById("filters").elements.queue?.value;
  const wanted = team ? "mine" : "all";
  // A new scope (the team filter changed) starts afresh: its count is not "news".
  if (wanted !== scope) latest = null;
  const query = new URLSearchParams({ since: String(latest ?? 0) });
  if (team) query.set("my_queues", "true");
  const asked = ++polls;
  const changes = await api(`/inbox/changes?${query}`);
  if (asked !== polls) return; // a newer poll (filters just applied) answers instead
  const first = latest === null;
  const rescoped = scope !== null && wanted !== scope;
  if (rescoped) urgentWaiting = changes.urgent_waiting;
  latest = changes.latest;
  scope = wanted;
  document.body.dataset.live = String(latest);
  document.body.dataset.liveScope = scope;
  if (!first && changes.referrals.length) {
    if (!document.getElementById("referrals-view").hidden) await refresh();
    notify(t("live_new", { count: changes.referrals.length }));
  }
  if (changes.urgent_waiting > urgentWaiting || (!first && changes.referrals.some((r) => r.urgency === "urgent" && r.status === "new"))) {
    beep();
    notify(t("live_urgent", { count: changes.urgent_waiting }), "error");
  }
  urgentWaiting = changes.urgent_waiting;
  title(urgentWaiting);
}

// Applying the filters polls at once, so the badge follows the chosen scope.
function pollNow() {
  if (!tick) return;
  clearTimeout(timer);
  tick();
}

export function setupTeamFilter(account) {
  const form = document.getElementById("filters");
  form.addEventListener("submit", pollNow);
  if (!form.elements.queue) {
    const box = el("select", { name: "queue" });
    form.querySelector("label.check")?.before(el("label", {}, el("span", {}, t("filter_queue")), box));
  }
  select(form.elements.queue, account.queues ?? [], null, t("any"));
}

export function startLive(account, refresh) {
  stopLive();
  setupTeamFilter(account);
  document.addEventListener("pointerdown", unlockSound);
  unlockSound();
  const mine = ++generation;
  tick = async () => {
    try { await poll(refresh); } catch { /* a missed poll is retried at the next tick */ }
    if (mine === generation) {
      clearTimeout(timer);
      timer = setTimeout(tick, EVERY_MS);
    }
  };
  tick();
}

export function stopLive() {
  generation += 1;
  clearTimeout(timer);
  timer = null;
  tick = null;
  latest = null;
  scope = null;
  urgentWaiting = 0;
  delete document.body.dataset.liveScope;
  title(0);
}
