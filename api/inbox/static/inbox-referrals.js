// Referrals: the list (urgent and new first, filters) and one referral's detail: triage
// summary, intake answers, claim, messages and replies, notes, closing with an outcome.
import { api, el, label, languageName, languages, notify, select, t, when } from "./inbox-core.js";
import { guardFreeReply, intakePanel, languageBanner, linksPanel, triagePanel } from "./inbox-plain.js";

const STATUSES = ["new", "claimed", "in_progress", "closed"];
const URGENCIES = ["urgent", "same_day", "normal"];
const THEMES = ["housing", "cej", "aid", "appointment", "emergency", "general"];
// The seeds' closed list (storage/outcomes.py), and the aid that may go with a closing.
const OUTCOMES = ["employment", "employment_durable", "alternance", "training", "pmsmp", "civic_service",
  "cej_signed", "pacea_signed", "housed", "supported_housing", "aid_granted", "aid_refused", "oriented",
  "no_answer", "declined", "other"];
const AID_FUNDS = ["fmaj", "fdaj", "flu", "pacea_allowance", "cej_allowance", "energy_fund", "ase_pocket_money", "other"];
const AID_PURPOSES = ["subsistence", "insertion", "mobility", "housing", "energy", "other"];
const TEMPLATES = ["appointment_confirmed", "bring_papers", "call_us", "we_tried"];

let me = null;

export function setupReferrals(account) {
  me = account;
  const form = document.getElementById("filters");
  select(form.elements.status, STATUSES, "status", t("any"));
  select(form.elements.urgency, URGENCIES, "urgency", t("any"));
  select(form.elements.theme, THEMES, "theme", t("any"));
  select(form.elements.lang, [], null, t("any"));
  for (const language of languages()) form.elements.lang.append(el("option", { value: language.code }, language.name));
  form.onsubmit = (event) => { event.preventDefault(); showList(); };
}

function badges(referral) {
  return el("span", { class: "badges" },
    el("span", { class: `badge urgency-${referral.urgency}` }, label("urgency", referral.urgency)),
    el("span", { class: `badge status-${referral.status}` }, label("status", referral.status)));
}

export async function showList() {
  const form = document.getElementById("filters");
  const query = new URLSearchParams();
  for (const name of ["status", "urgency", "theme", "lang"]) {
    if (form.elements[name].value) query.set(name, form.elements[name].value);
  }
  if (form.elements.assigned_to_me.checked) query.set("assigned_to_me", "true");
  if (form.elements.queue?.value) query.set("queue", form.elements.queue.value);
  query.set("limit", "100");
  const response = await api(`/referrals?${query}`, { raw: true });
  const referrals = await response.json();
  document.getElementById("count").textContent = t("count", { count: response.headers.get("X-Total-Count") ?? referrals.length });
  const list = document.getElementById("referral-list");
  list.replaceChildren(...referrals.map((r) => el("li", {},
    el("a", { class: `card urgency-${r.urgency}`, href: `#referral/${r.id}`, "data-id": r.id },
      badges(r),
      el("strong", {}, `${t("referral_title", { id: r.id })} · ${label("theme", r.theme)}`),
      el("span", {}, `${label("reason", r.reason)} · ${languageName(r.lang)}`),
      el("span", { class: "muted" }, when(r.created_at))))));
  if (!referrals.length) list.append(el("li", { class: "muted" }, t("empty")));
}

function facts(entries) {
  return el("dl", { class: "facts" }, entries
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, el("bdi", {}, String(value)))]));
}

function section(title, ...content) {
  return el("section", { class: "panel" }, el("h3", {}, title), ...content);
}

async function act(id, call, done) {
  try {
    await call();
  } catch (error) {
    return notify(t("error", { status: error.status ?? error.message }), "error");
  }
  await Promise.all([showDetail(id), showList()]);
  if (done) notify(done);
}

function actions(referral) {
  const id = referral.id;
  const box = el("div", { class: "actions" });
  if (referral.status === "new") {
    box.append(el("button", { type: "button", class: "primary", id: "claim",
      onclick: () => act(id, () => api(`/referrals/${id}/claim`, { method: "POST" })) }, t("claim")));
  }
  if (referral.status !== "closed") {
    // No outcome chosen in advance: one click on "close" must not close an emergency as
    // the list's first entry. The form asks for one (required).
    const outcome = el("select", { id: "outcome", "aria-label": t("outcome"), required: true });
    select(outcome, OUTCOMES, "outcome", t("outcome"));
    const fund = el("select", { id: "aid-fund", "aria-label": t("aid_fund") });
    select(fund, AID_FUNDS, "fund", t("no_aid"));
    const purpose = el("select", { id: "aid-purpose", "aria-label": t("aid_purpose") });
    select(purpose, AID_PURPOSES, "purpose", t("not_said"));
    const amount = el("input", { id: "aid-amount", type: "number", min: "0", step: "0.01", "aria-label": t("aid_amount"), placeholder: t("aid_amount") });
    const closing = () => {
      const body = { status: "closed", outcome: outcome.value };
      if (fund.value) {
        body.aid = { fund: fund.value, purpose: purpose.value || null, amount_eur: amount.value || null };
      }
      return body;
    };
    box.append(el("form", { class: "inline", onsubmit: (event) => {
      event.preventDefault();
      act(id, () => api(`/referrals/${id}`, { method: "PATCH", body: closing() }));
    } }, outcome, fund, purpose, amount, el("button", { type: "submit", class: "ghost-dark" }, t("close"))));
  }
  return box;
}

function messagesPanel(id, messages, language) {
  const thread = el("ol", { class: "thread" }, messages.map((m) => el("li", { class: `bubble ${m.direction}` },
    el("span", { class: "muted" }, `${label("direction", m.direction)} · ${when(m.created_at)}`),
    el("p", { dir: "auto" }, m.template ? label("template", m.template) : m.body))));
  if (!messages.length) thread.append(el("li", { class: "muted" }, t("no_messages")));
  const send = (body) => act(id, () => api(`/referrals/${id}/replies`, { method: "POST", body }), t("sent"));
  const quick = el("div", { class: "quick", role: "group", "aria-label": t("quick_replies") },
    TEMPLATES.map((name) => el("button", { type: "button", class: "ghost-dark", "data-template": name,
      onclick: () => send({ template: name }) }, label("template", name))));
  const text = el("textarea", { id: "reply-text", rows: 3, required: true, maxlength: 3000, dir: "auto" });
  const form = el("form", { class: "stack", onsubmit: (event) => {
    event.preventDefault();
    if (text.value.trim()) send({ text: text.value.trim() });
  } }, el("label", { for: "reply-text" }, t("reply_label")), text,
  el("button", { type: "submit", class: "primary" }, t("send_reply")));
  guardFreeReply(form, language);
  return section(t("messages"), thread, el("h4", {}, t("quick_replies")), quick, form);
}

function notesPanel(id, notes) {
  const list = el("ul", { class: "notes" }, notes.map((n) =>
    el("li", {}, el("span", { class: "muted" }, when(n.created_at)), el("p", { dir: "auto" }, n.body))));
  if (!notes.length) list.append(el("li", { class: "muted" }, t("no_notes")));
  const text = el("textarea", { id: "note-text", rows: 2, required: true, maxlength: 5000, dir: "auto" });
  const form = el("form", { class: "stack", onsubmit: (event) => {
    event.preventDefault();
    if (text.value.trim()) act(id, () => api(`/referrals/${id}/notes`, { method: "POST", body: { body: text.value.trim() } }));
  } }, el("label", { for: "note-text" }, t("note_label")), text,
  el("button", { type: "submit", class: "ghost-dark" }, t("add_note")));
  return section(t("notes"), list, form);
}

export async function showDetail(id) {
  const [referral, readable, messages, notes] = await Promise.all([
    api(`/referrals/${id}`), api(`/referrals/${id}/readable`),
    api(`/referrals/${id}/messages`), api(`/referrals/${id}/notes`),
  ]);
  const assigned = referral.assigned_to === null ? t("nobody")
    : referral.assigned_to === me.id ? t("you") : `#${referral.assigned_to}`;
  const detail = document.getElementById("detail");
  detail.replaceChildren(el("article", { class: "referral", "aria-labelledby": "referral-title" },
    el("a", { href: "#referrals", class: "back" }, t("back_to_list")),
    el("h2", { id: "referral-title", tabindex: "-1" }, `${t("referral_title", { id })} · ${readable.theme}`),
    badges(referral), languageBanner(readable.language),
    facts([[t("created"), when(referral.created_at)], [t("reason"), readable.reason],
      [t("structure"), readable.structure], [t("role"), readable.queue],
      [t("also_queues"), readable.also_queues.join(", ")], [t("assigned"), assigned],
      [t("outcome"), readable.outcome]]),
    actions(referral), triagePanel(readable), linksPanel(readable), intakePanel(readable),
    messagesPanel(id, messages, readable.language), notesPanel(id, notes)));
  document.getElementById("referrals-view").classList.add("has-detail");
}

export function hideDetail() {
  document.getElementById("detail").replaceChildren();
  document.getElementById("referrals-view").classList.remove("has-detail");
}
