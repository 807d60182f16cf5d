// The teacher's page: make a game, open and run rounds, debrief.
"use strict";
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let key = params.get("key") || localStorage.getItem("zs-teacher-key") || "";
let view = null, drawn = "";

function say(text, kind) { const m = $("message"); m.className = "message " + (kind || "info"); m.textContent = text || ""; }

async function act(action, extra) {
  try { await Z.post("/api/teacher/" + action, { key, ...(extra || {}) }); say(""); await poll(); }
  catch (e) { say(e.message, "error"); }
}

// Rank of every team on every measure (1 = best; less idle land is better).
function leaderboard(rows, measures) {
  const better = (m) => (m === "idle_land_ha" ? 1 : -1);
  const rank = {};
  for (const m of measures) {
    // ties share a rank: one more than the number of teams strictly better
    rows.forEach((r) => { (rank[r.team] ||= {})[m] = 1 + rows.filter((q) => better(m) * (q[m] - r[m]) < 0).length; });
  }
  const head = Z.el("tr", {}, Z.el("th", {}, Z.t("export.team")),
    ...measures.map((m) => Z.el("th", { class: "num" }, Z.t("measure." + m))));
  const body = rows.map((r) => Z.el("tr", {}, Z.el("td", {}, r.team),
    ...measures.map((m) => Z.el("td", { class: "num" }, `${rank[r.team][m]} (${Z.fmt(m, r[m])})`))));
  return Z.el("table", { id: "leaderboard" }, Z.el("thead", {}, head), Z.el("tbody", {}, ...body));
}

function render(v) {
  $("login").hidden = true; $("control").hidden = false;
  if (!v.phase) {
    $("status").textContent = Z.t("teacher.no_game");
    for (const id of ["start", "pause", "resume", "extend", "advance"]) $(id).disabled = true;
    return;
  }
  const round = Math.min(v.round + (v.phase === "open" || v.phase === "paused" ? 1 : 0), v.rounds);
  $("status").textContent = `${Z.t("team.round")} ${round}/${v.rounds} · ${Z.t("phase." + v.phase)}`
    + (v.all_submitted && v.phase === "open" ? ` · ${Z.t("teacher.all_submitted")}` : "");
  $("code").textContent = v.code;
  $("join-url").textContent = location.origin + "/";
  $("clock").textContent = v.phase === "open" || v.phase === "paused" ? `${Z.t("team.time_left")}: ${Z.clock(v.seconds_left)}` : "";
  $("start").disabled = !(v.phase === "lobby" || v.phase === "results");
  $("pause").disabled = v.phase !== "open";
  $("resume").disabled = v.phase !== "paused";
  $("extend").disabled = !(v.phase === "open" || v.phase === "paused");
  $("advance").disabled = !(v.phase === "open" || v.phase === "paused");
  $("teams-box").hidden = false;
  const open = v.phase === "open" || v.phase === "paused";
  const rows = v.teams.map((t) => Z.el("tr", {}, Z.el("td", {}, t.name), Z.el("td", {}, Z.city(t.city)),
    Z.el("td", { class: "num" }, t.league + 1),
    Z.el("td", { class: t.submitted ? "ok" : "wait" },
         !open ? "" : t.submitted ? Z.t("teacher.submitted") : Z.t("teacher.not_submitted"))));
  $("teams").replaceChildren(Z.el("table", { id: "team-table" }, Z.el("thead", {}, Z.el("tr", {},
    Z.el("th", {}, Z.t("export.team")), Z.el("th", {}, Z.t("export.city")), Z.el("th", { class: "num" }, Z.t("teacher.league")), Z.el("th", {}, ""))),
    Z.el("tbody", {}, ...rows)));
  const key2 = [v.results.length, v.phase, Z.lang].join("|");
  if (v.results.length && key2 !== drawn) {
    drawn = key2;
    const last = v.results[v.results.length - 1];
    $("results").replaceChildren(Z.resultsTable(last, v.measures, ""));
    $("results-box").hidden = false;
    $("board").replaceChildren(leaderboard(last, v.measures)); $("board-box").hidden = false;
    $("charts").replaceChildren(...v.measures.map((m) => Z.chart(v.results, m))); $("charts-box").hidden = false;
    $("feed").replaceChildren(...[...v.feed].reverse().map(Z.feedItem)); $("feed-box").hidden = false;
  }
}

async function poll() {
  if (!key) { $("login").hidden = false; return; }
  try { view = await Z.get("/api/teacher?key=" + encodeURIComponent(key)); localStorage.setItem("zs-teacher-key", key); render(view); }
  catch (e) {
    if (/teacher key/.test(e.message)) { key = ""; localStorage.removeItem("zs-teacher-key"); $("login").hidden = false; $("control").hidden = true; say(e.message, "error"); }
  }
}

$("key-form").addEventListener("submit", async (event) => { event.preventDefault(); key = $("key").value.trim(); await poll(); });
$("new").addEventListener("click", () => {
  if (view && view.phase && view.phase !== "debrief") { if (confirm(Z.t("teacher.replace"))) act("new", { replace: true }); }
  else act("new");
});
for (const id of ["start", "pause", "resume", "advance"]) $(id).addEventListener("click", () => act(id));
$("extend").addEventListener("click", () => act("extend", { seconds: 60 }));
$("lang").addEventListener("click", async () => { await Z.toggleLang(); drawn = ""; if (view) render(view); });

(async () => { await Z.loadTerms(); await poll(); setInterval(poll, 2000); })();
