// The conseillers' inbox: sign in with a token (pasted, or a login link /inbox#token=...),
// then the views, one per URL fragment so the back button works: #referrals,
// #referral/ID, #agenda, #stats. Only the public admin API is used.
import { api, ApiError, loadStrings, notify, t, token } from "./inbox-core.js";
import { setupAgenda, showAgenda } from "./inbox-agenda.js";
import { hideDetail, setupReferrals, showDetail, showList } from "./inbox-referrals.js";
import { setupStats, showStats } from "./inbox-stats.js";
import { startLive, stopLive } from "./inbox-live.js";
import { showTemplateReplies, showTemplatesAdmin } from "./inbox-templates.js";

const VIEWS = ["login", "referrals", "agenda", "stats"];
let account = null;

function showView(name) {
  for (const view of VIEWS) document.getElementById(`${view}-view`).hidden = view !== name;
  document.querySelectorAll("#tabs a").forEach((a) => {
    if (a.dataset.view === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
}

async function route() {
  if (!account) return showView("login");
  const [view, id] = (location.hash.slice(1) || "referrals").split("/");
  notify(t("loading"));
  try {
    if (view === "agenda") {
      showView("agenda");
      await showAgenda();
    } else if (view === "stats") {
      showView("stats");
      await showStats();
    } else {
      showView("referrals");
      await showList();
      if (view === "referral" && /^\d+$/.test(id)) {
        await showDetail(Number(id));
        await showTemplateReplies(Number(id), route);
        document.getElementById("referral-title")?.focus();
      } else {
        hideDetail();
      }
    }
    notify("");
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401) notify(t("error", { status: error.status }), "error");
    else if (!(error instanceof ApiError)) notify(t("error", { status: error.message }), "error");
  }
}

async function signIn(value) {
  token.set(value.trim());
  try {
    account = await api("/me");
  } catch {
    return signOut(t("login_failed"));
  }
  document.getElementById("who").textContent = t("signed_in_as", {
    name: account.name || `#${account.id}`,
    role: t(`role.${account.role}`) + (account.structure ? ` · ${account.structure}` : ""),
  });
  document.getElementById("tabs").hidden = false;
  document.getElementById("logout").hidden = false;
  setupReferrals(account);
  startLive(account, showList);
  await showTemplatesAdmin(account);
  await route();
}

function signOut(message = "") {
  account = null;
  stopLive();
  token.clear();
  document.getElementById("who").textContent = "";
  document.getElementById("tabs").hidden = true;
  document.getElementById("logout").hidden = true;
  document.getElementById("login-error").textContent = message;
  document.getElementById("token").value = "";
  showView("login");
  document.getElementById("token").focus();
}

document.addEventListener("api-error", (event) => {
  if (event.detail.status === 401 && account) signOut(t("login_failed"));
});
document.getElementById("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  signIn(document.getElementById("token").value);
});
document.getElementById("logout").addEventListener("click", () => {
  signOut();
  history.replaceState(null, "", location.pathname);
});
window.addEventListener("hashchange", route);

setupAgenda();
setupStats();
await loadStrings();
// A login link carries the token in the fragment (never sent to the server): keep it
// for this tab only, and take it out of the address bar and history at once.
const link = location.hash.match(/^#token=(.+)$/);
if (link) {
  history.replaceState(null, "", location.pathname + "#referrals");
  await signIn(decodeURIComponent(link[1]));
} else if (token.get()) {
  await signIn(token.get());
} else {
  signOut();
}
