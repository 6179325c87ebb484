// Shared by the inbox modules: the token, calls to the public admin API, the French
// sentences from GET /inbox/ui, and small DOM helpers.
const TOKEN_KEY = "relais-inbox-token";
let ui = { strings: {}, languages: [] };

export class ApiError extends Error {
  constructor(status, detail) {
    super(`${status} ${detail}`);
    this.status = status;
  }
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

// Calls /api/v1 with the bearer token; JSON in and out unless `raw` is asked.
export async function api(path, { method = "GET", body, raw = false } = {}) {
  const headers = { Authorization: `Bearer ${token.get()}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`/api/v1${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let detail = "";
    try { detail = (await response.json()).detail; } catch { /* not JSON */ }
    const error = new ApiError(response.status, typeof detail === "string" ? detail : "");
    document.dispatchEvent(new CustomEvent("api-error", { detail: error }));
    throw error;
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

export async function loadStrings() {
  const response = await fetch("/inbox/ui");
  ui = await response.json();
  document.documentElement.lang = ui.lang;
  document.title = t("page_title");
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  document.querySelectorAll("[data-t-label]").forEach((el) => el.setAttribute("aria-label", t(el.dataset.tLabel)));
}

export const languages = () => ui.languages;
export const t = (key, values = {}) =>
  (ui.strings[key] ?? key).replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
// The label of an API value (`status`, `new`) when the catalog has one, else the value.
export const label = (kind, value) => ui.strings[`${kind}.${value}`] ?? String(value);
export const languageName = (code) => ui.languages.find((l) => l.code === code)?.name ?? code;

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined));
  return node;
}

const dateTime = new Intl.DateTimeFormat("fr-FR", { dateStyle: "short", timeStyle: "short" });
const timeOnly = new Intl.DateTimeFormat("fr-FR", { timeStyle: "short" });
const dayOnly = new Intl.DateTimeFormat("fr-FR", { day: "2-digit", month: "2-digit" });
export const when = (iso) => (iso ? dateTime.format(new Date(iso)) : "");
export const clock = (iso) => timeOnly.format(new Date(iso));
export const shortDay = (date) => dayOnly.format(date);
// YYYY-MM-DD of a local date (what <input type="date"> holds).
export const isoDay = (date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
// Start of a local day as an ISO 8601 instant, for the API's period filters.
export const dayStart = (value) => new Date(`${value}T00:00:00`).toISOString();

export function notify(text, kind = "info") {
  const notice = document.getElementById("notice");
  notice.textContent = text;
  notice.dataset.kind = kind;
}

export function select(node, values, kind, anyLabel) {
  node.replaceChildren(el("option", { value: "" }, anyLabel));
  for (const value of values) node.append(el("option", { value }, kind ? label(kind, value) : value));
}
