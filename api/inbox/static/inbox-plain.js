// A referral read in plain French (issue 18), from GET /referrals/{id}/readable: labelled
// facts, suggested services as cards, the person's language and script, the requests
// linked to this one, the updates the person made, and the warning before a free reply
// in a language the person does not read.
import { el, t, when } from "./inbox-core.js";

function section(title, ...content) {
  return el("section", { class: "panel" }, el("h3", {}, title), ...content);
}

export function labelledFacts(entries) {
  return el("dl", { class: "facts" }, entries.flatMap(({ label, value }) =>
    [el("dt", {}, label), el("dd", {}, el("bdi", {}, value))]));
}

export function languageBanner(language) {
  return el("p", { class: `person-language${language.reads_french ? "" : " foreign"}`, id: "person-language" },
    el("strong", {}, `${t("person_language")} : `),
    el("span", {}, language.name),
    // The native name in its own direction, isolated so it never reorders the line.
    language.native && language.native !== language.name
      ? [" — ", el("bdi", { dir: language.direction }, language.native)] : null,
    el("span", { class: "muted" }, ` (${language.script})`));
}

function serviceCard(card) {
  const lines = [el("strong", {}, card.name)];
  if (card.summary) lines.push(el("span", {}, card.summary));
  if (card.phone) lines.push(el("span", {}, `${t("card_phone")} : `, el("a", { href: `tel:${card.phone.replace(/\s/g, "")}` }, card.phone)));
  for (const address of card.addresses) lines.push(el("span", {}, `${t("card_address")} : ${address}`));
  for (const hours of card.hours) lines.push(el("span", {}, `${t("card_hours")} : ${hours}`));
  return el("li", { class: "service-card" }, ...lines);
}

export function triagePanel(readable) {
  return section(t("triage"), labelledFacts(readable.facts),
    readable.services.length ? el("h4", {}, t("suggestions")) : null,
    readable.services.length ? el("ul", { class: "service-cards" }, readable.services.map(serviceCard)) : null);
}

export function intakePanel(readable) {
  if (!readable.intake.length) return section(t("intake"), el("p", { class: "muted" }, t("no_intake")));
  return section(t("intake"), labelledFacts(readable.intake));
}

export function linksPanel(readable) {
  if (!readable.linked.length && !readable.history.length) return null;
  return section(t("linked"),
    readable.linked.length ? el("ul", {}, readable.linked.map((r) => el("li", {},
      el("a", { href: `#referral/${r.id}` }, t("linked_line", r))))) : null,
    readable.history.length ? el("h4", {}, t("history")) : null,
    readable.history.length ? el("ul", { class: "history" }, readable.history.map((h) => el("li", {},
      t("history_line", { at: when(h.at), facts: h.facts.join(", "), before: h.urgency_from, after: h.urgency_to })))) : null);
}

// Before a free reply to a person who does not read French: a warning, and a box to tick.
export function guardFreeReply(form, language) {
  if (language.reads_french) return;
  const box = el("input", { type: "checkbox", id: "reply-confirm" });
  const warning = el("div", { class: "reply-warning", role: "note", id: "reply-warning" },
    el("p", {}, t("reply_warning", { language: language.name, script: language.script })),
    el("label", { for: "reply-confirm" }, box, ` ${t("reply_confirm")}`));
  form.prepend(warning);
  form.addEventListener("submit", (event) => {
    if (box.checked) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    warning.append(el("p", { class: "error", role: "alert" }, t("reply_confirm_needed")));
  }, { capture: true });
}
