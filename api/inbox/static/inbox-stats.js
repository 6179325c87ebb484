// Indicators for the activity report: key figures, charts drawn in SVG, and the CSV
// export (fetched with the token, then saved as a file); below, the yearly report.
import { columnChart, barChart } from "./inbox-charts.js";
import { api, dayStart, el, isoDay, label, languageName, shortDay, t } from "./inbox-core.js";
import { setupReport, showReport } from "./inbox-report.js";

const DAY = 24 * 3600 * 1000;
const WEEKS = 8;
const FIGURES = ["first_contacts", "people_accompanied", "referrals", "minors", "bpi", "formerly_ase",
  "qpv", "median_hours_to_first_contact"];
const CHARTS = [
  ["referrals_by_theme", (k) => label("theme", k)],
  ["intakes_by_source", (k) => label("source", k)],
  ["referrals_by_language", languageName],
  ["referrals_by_outcome", (k) => label("outcome", k)],
  ["referrals_by_urgency", (k) => label("urgency", k)],
];

function period() {
  const form = document.getElementById("stats-form");
  if (!form.elements.to.value) {
    const today = new Date();
    form.elements.to.value = isoDay(today);
    form.elements.from.value = isoDay(new Date(today.getTime() - 30 * DAY));
  }
  const end = new Date(`${form.elements.to.value}T00:00:00`);
  const to = isoDay(new Date(end.getTime() + DAY)); // the whole last day
  return { from: form.elements.from.value, last: form.elements.to.value, to, query: `from=${encodeURIComponent(dayStart(form.elements.from.value))}&to=${encodeURIComponent(dayStart(to))}` };
}

async function weekly(to) {
  const end = new Date(`${to}T00:00:00`).getTime();
  const weeks = Array.from({ length: WEEKS }, (_, i) => new Date(end - (WEEKS - i) * 7 * DAY));
  const figures = await Promise.all(weeks.map((start) => api(
    `/stats?from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(new Date(start.getTime() + 7 * DAY).toISOString())}`)));
  return weeks.map((start, i) => [shortDay(start), figures[i].first_contacts]);
}

export async function showStats() {
  const { to, query } = period();
  const [figures, weeks] = await Promise.all([api(`/stats?${query}`), weekly(to)]);
  document.getElementById("figures").replaceChildren(...FIGURES.flatMap((name) => [
    el("div", { class: "figure" }, el("dt", {}, t(`fig.${name}`)), el("dd", {}, figures[name] ?? "—")),
  ]));
  document.getElementById("charts").replaceChildren(
    columnChart(t("chart.contacts_per_week"), weeks),
    ...CHARTS.map(([name, name_of]) => barChart(
      t(`chart.${name}`), Object.entries(figures[name] ?? {}).map(([k, v]) => [name_of(k), v]), t("no_data"))),
  );
  await showReport();
}

export async function exportCsv() {
  const { from, last, query } = period();
  const response = await api(`/stats?${query}&format=csv`, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", { href: url, download: `relais-indicateurs-${from}-${last}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function setupStats() {
  document.getElementById("stats-form").onsubmit = (event) => { event.preventDefault(); showStats(); };
  document.getElementById("export").onclick = exportCsv;
  setupReport();
}
