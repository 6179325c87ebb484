// The day's appointments, place by place (no-shows can be marked), and the outreach
// bus's next published stops.
import { api, clock, el, isoDay, label, languageName, notify, t, when } from "./inbox-core.js";

function appointmentRow(appointment) {
  const past = new Date(appointment.starts_at) < new Date();
  const noShow = appointment.status === "booked" && past
    ? el("button", { type: "button", class: "ghost-dark", onclick: async () => {
      try {
        await api(`/appointments/${appointment.id}/no-show`, { method: "POST" });
      } catch (error) {
        return notify(t("error", { status: error.status }), "error");
      }
      await showAgenda();
    } }, t("mark_no_show"))
    : null;
  return el("tr", {},
    el("td", {}, clock(appointment.starts_at)),
    el("td", {}, label("theme", appointment.service)),
    el("td", {}, languageName(appointment.lang)),
    el("td", {}, label("appointment", appointment.status)),
    el("td", {}, noShow));
}

function placeTable(place, appointments) {
  return el("section", { class: "panel" }, el("h3", {}, place),
    el("table", {},
      el("thead", {}, el("tr", {}, [t("time"), t("service"), t("filter_lang"), t("filter_status"), ""]
        .map((name) => el("th", { scope: "col" }, name)))),
      el("tbody", {}, appointments.map(appointmentRow))));
}

export async function showAgenda() {
  const form = document.getElementById("agenda-form");
  if (!form.elements.day.value) form.elements.day.value = isoDay(new Date());
  const appointments = await api(`/agenda?day=${form.elements.day.value}`);
  const byPlace = new Map();
  for (const appointment of appointments) {
    byPlace.set(appointment.place_id, [...(byPlace.get(appointment.place_id) ?? []), appointment]);
  }
  const agenda = document.getElementById("agenda");
  agenda.replaceChildren(...[...byPlace].map(([place, rows]) => placeTable(place, rows)));
  if (!appointments.length) agenda.append(el("p", { class: "muted" }, t("no_appointments")));
  await showBus();
}

async function showBus() {
  const bus = document.getElementById("bus");
  let stops = [];
  try {
    stops = await api("/openings?kind=bus_stop&days=14");
  } catch {
    stops = [];
  }
  bus.replaceChildren(el("ul", { class: "notes" }, stops.map((stop) => el("li", {},
    el("strong", {}, `${when(stop.starts_at)} – ${clock(stop.ends_at)}`),
    el("p", { dir: "auto" }, [stop.name, stop.address].filter(Boolean).join(" — "))))));
  if (!stops.length) bus.append(el("p", { class: "muted" }, t("no_bus")));
}

export function setupAgenda() {
  document.getElementById("agenda-form").onsubmit = (event) => { event.preventDefault(); showAgenda(); };
}
