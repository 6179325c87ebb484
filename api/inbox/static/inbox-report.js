// The yearly report (issue 18): the seeds' tables for a chosen year and structure
// (GET /stats/yearly?year=&structure=), each as a table with a chart, and their CSV.
// A conseiller sees their structure only; an administrator picks one or all.
import { barChart, columnChart } from "./inbox-charts.js";
import { api, el, label, t } from "./inbox-core.js";

// table → [prefix of its row labels, the column its chart draws]
const TABLES = [
  ["people", "people", null],
  ["gender", "gender", "count"],
  ["qpv", "qpv", "count"],
  ["known_to_ml", "known", "count"],
  ["age_bands", "age", "count"],
  ["statuses", "pstatus", "count"],
  ["territories", "territory", "count"],
  ["themes", "theme", "referrals"],
  ["outcomes", "outcome", "referrals"],
  ["aid_by_fund", "fund", "amount_eur"],
  ["aid_by_purpose", "purpose", "amount_eur"],
  ["ctai", "ctai", null],
  ["ctai_exits", "ctai", null],
  ["kiosk_met", null, "total"],
];
const months = new Intl.DateTimeFormat("fr-FR", { month: "short" });
let account = null;

function rowName(prefix, row) {
  if (!prefix) return months.format(new Date(`${row}-01T12:00:00`));
  if (row === "not_said") return t("not_said");
  return label(prefix, row);
}

const cell = (value) => (value === null || value === undefined ? "—" : String(value));

function tableOf(name, prefix, rows) {
  const columns = [...new Set(Object.values(rows).flatMap((cells) => Object.keys(cells)))];
  return el("table", { class: "report-table", id: `report-${name}` },
    el("caption", {}, t(`report.${name}`)),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, ""),
      columns.map((c) => el("th", { scope: "col" }, label("col", c))))),
    el("tbody", {}, Object.entries(rows).map(([row, cells]) => el("tr", {},
      el("th", { scope: "row" }, rowName(prefix, row)),
      columns.map((c) => el("td", {}, cell(cells[c])))))));
}

function chartOf(name, prefix, column, rows) {
  const points = Object.entries(rows).map(([row, cells]) => [rowName(prefix, row), cells[column] ?? 0]);
  if (name === "kiosk_met") return columnChart(t(`report.${name}`), points);
  return barChart(t(`report.${name}`), points.filter(([, value]) => value > 0), t("no_data"));
}

function query() {
  const form = document.getElementById("report-form");
  const params = new URLSearchParams({ year: form.elements.year.value });
  if (form.elements.structure.value) params.set("structure", form.elements.structure.value);
  return params;
}

async function structures() {
  account = account || (await api("/me"));
  const chooser = document.getElementById("report-form").elements.structure;
  if (chooser.options.length) return;
  if (account.role !== "admin") {
    chooser.append(el("option", { value: account.structure || "" }, account.structure || "—"));
    chooser.disabled = true;
    return;
  }
  chooser.append(el("option", { value: "" }, t("report_all_structures")));
  for (const org of await api("/structures")) chooser.append(el("option", { value: org.id }, org.name));
}

export async function showReport() {
  const form = document.getElementById("report-form");
  if (!form.elements.year.value) form.elements.year.value = String(new Date().getFullYear());
  await structures();
  const figures = await api(`/stats/yearly?${query()}`);
  document.getElementById("report").replaceChildren(...TABLES.flatMap(([name, prefix, column]) => {
    const rows = figures.tables[name] ?? {};
    const parts = [tableOf(name, prefix, rows)];
    if (column) parts.push(chartOf(name, prefix, column, rows));
    return [el("section", { class: "report-part" }, ...parts)];
  }));
}

async function exportReport() {
  const params = query();
  params.set("format", "csv");
  const response = await api(`/stats/yearly?${params}`, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", { href: url, download: `relais-rapport-${params.get("year")}.csv` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function setupReport() {
  document.getElementById("report-form").onsubmit = (event) => { event.preventDefault(); showReport(); };
  document.getElementById("report-export").onclick = exportReport;
}
