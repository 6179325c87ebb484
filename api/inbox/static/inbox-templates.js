// Reply templates admins write (GET/PUT/DELETE /templates): in a referral's detail, one
// button per template; one without a translation in the person's language is shown as
// missing and cannot be sent (the API refuses it too). Admins write and delete templates
// in a panel under the list, with one wording per shipped language.
import { api, el, languageName, languages, notify, t } from "./inbox-core.js";

async function written() {
  return (await api("/templates")).filter((template) => !template.fixed);
}

export async function showTemplateReplies(referralId, reload) {
  const quick = document.querySelector("#detail .quick");
  if (!quick) return;
  const [referral, templates] = await Promise.all([api(`/referrals/${referralId}`), written()]);
  for (const template of templates) {
    const wording = template.texts[referral.lang];
    if (wording) {
      quick.append(el("button", { type: "button", class: "ghost-dark", "data-template": template.key,
        title: wording, onclick: async () => {
          await api(`/referrals/${referralId}/replies`, { method: "POST", body: { template: template.key } });
          await reload();
        } }, template.title));
    } else {
      quick.append(el("button", { type: "button", class: "ghost-dark missing", disabled: true,
        "data-template": template.key, "data-missing": referral.lang, title: t("template_missing_help") },
      t("template_missing", { title: template.title, language: languageName(referral.lang) })));
    }
  }
}

function editor(template, refresh) {
  const key = el("input", { name: "key", required: true, pattern: "[a-z0-9_\\-]{1,64}", value: template?.key ?? "",
    readonly: Boolean(template) });
  const title = el("input", { name: "title", required: true, maxlength: 120, value: template?.title ?? "" });
  const texts = languages().map((language) => el("label", {}, el("span", {}, language.name),
    el("textarea", { name: `text-${language.code}`, rows: 2, maxlength: 3000, dir: language.direction,
      lang: language.code }, template?.texts[language.code] ?? "")));
  const form = el("form", { class: "stack template-editor", "data-key": template?.key ?? "", onsubmit: async (event) => {
    event.preventDefault();
    const body = { title: title.value.trim(), texts: {} };
    for (const language of languages()) {
      const text = form.elements[`text-${language.code}`].value.trim();
      if (text) body.texts[language.code] = text;
    }
    await api(`/templates/${encodeURIComponent(key.value.trim())}`, { method: "PUT", body });
    notify(t("template_saved"));
    await refresh();
  } },
  el("label", {}, el("span", {}, t("template_key")), key),
  el("label", {}, el("span", {}, t("template_title")), title), ...texts,
  el("button", { type: "submit", class: "primary" }, t("template_save")));
  if (template) {
    form.append(el("button", { type: "button", class: "ghost-dark", onclick: async () => {
      await api(`/templates/${encodeURIComponent(template.key)}`, { method: "DELETE" });
      await refresh();
    } }, t("template_delete")));
  }
  return form;
}

export async function showTemplatesAdmin(account) {
  document.getElementById("templates-admin")?.remove();
  if (account.role !== "admin") return;
  const panel = el("details", { id: "templates-admin", class: "panel" }, el("summary", {}, t("templates_admin")));
  document.getElementById("referral-list").after(panel);
  const refresh = async () => {
    const templates = await written();
    panel.replaceChildren(panel.firstChild, ...templates.map((template) => editor(template, refresh)), editor(null, refresh));
  };
  await refresh();
}
