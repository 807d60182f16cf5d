// The team's page: join with the code, set levers each round, see the results.
"use strict";
const T = {
  token: localStorage.getItem("zs-token") || "",
  browser: sessionStorage.getItem("zs-browser") || Math.random().toString(36).slice(2),
  view: null, formKey: "", resultsKey: "",
};
sessionStorage.setItem("zs-browser", T.browser);
const $ = (id) => document.getElementById(id);

function say(text, kind) { const m = $("message"); m.className = "message " + (kind || "info"); m.textContent = text || ""; }

function cost(levers, monthly, months) {
  return months * Object.entries(monthly).reduce((s, [k, c]) => s + Number(levers[k]) * c, 0);
}

function readLevers() {
  const out = {};
  for (const spec of T.view.specs) {
    const input = $("lever-" + spec.key);
    out[spec.key] = spec.kind === "switch" ? input.checked : Number(input.value);
  }
  return out;
}

function showCost() {
  const v = T.view, c = cost(readLevers(), v.budget.monthly, v.months_per_round);
  const over = c > v.budget.left + 1e-6;
  const unit = Z.t("unit.myuan");
  $("cost").textContent = `${Z.t("team.cost")}: ${(c / 1e6).toFixed(2)} ${unit} · `
    + `${Z.t("team.budget")}: ${(v.budget.left / 1e6).toFixed(2)} ${unit}`
    + (over ? ` · ${Z.t("team.over_budget")}` : "");
  $("cost").className = "message " + (over ? "error" : "info");
  $("submit").disabled = over;
}

function leverForm(v) {
  const box = $("levers"); box.replaceChildren();
  box.append(Z.el("h2", {}, Z.t("team.your_levers")));
  for (const spec of v.specs) {
    const value = v.levers[spec.key];
    const row = Z.el("div", { class: "lever" });
    row.append(Z.el("label", { for: "lever-" + spec.key }, Z.t("lever." + spec.key)));
    let input;
    if (spec.kind === "switch") {
      input = Z.el("input", { type: "checkbox", id: "lever-" + spec.key });
      input.checked = Boolean(value);
      row.append(input, Z.el("output", {}, ""));
    } else {
      input = Z.el("input", { type: "range", id: "lever-" + spec.key, min: spec.low, max: spec.high, step: spec.step });
      input.value = value;
      const out = Z.el("output", { id: "out-" + spec.key }, value);
      input.addEventListener("input", () => { out.textContent = input.value; });
      row.append(input, out);
    }
    input.disabled = v.submitted || v.phase !== "open";
    input.addEventListener("input", showCost);
    box.append(row);
  }
  const paid = Z.el("div", { class: "message info" },
    `${Z.t("team.incentives_paid")}: ${(v.budget.incentives_paid / 1e6).toFixed(2)} ${Z.t("unit.myuan")}`);
  box.append(paid, Z.el("div", { id: "cost", class: "message info" }));
  const button = Z.el("button", { id: "submit", type: "button" }, Z.t("team.submit"));
  button.addEventListener("click", submit);
  box.append(button);
  showCost();
  button.disabled = button.disabled || v.submitted || v.phase !== "open";
}

async function submit() {
  $("submit").disabled = true;
  try {
    await Z.post("/api/submit", { token: T.token, round: T.view.round + 1, levers: readLevers(), browser: T.browser });
    say(Z.t("team.submitted"), "info");
    T.formKey = ""; await poll();
  } catch (e) { say(e.message, "error"); $("submit").disabled = false; }
}

function render(v) {
  $("join").hidden = true; $("play").hidden = false;
  $("who").textContent = `${v.team.name} · ${Z.city(v.team.city)}`;
  const round = Math.min(v.round + (v.phase === "open" || v.phase === "paused" ? 1 : 0), v.rounds);
  $("status").textContent = `${Z.t("team.round")} ${round}/${v.rounds} · ${Z.t("phase." + v.phase)}`;
  $("clock").textContent = v.phase === "open" || v.phase === "paused" ? `${Z.t("team.time_left")}: ${Z.clock(v.seconds_left)}` : "";
  const key = [v.phase, v.round, v.submitted, Z.lang].join("|");
  if (key !== T.formKey) {
    T.formKey = key;
    if (v.phase === "open" || v.phase === "paused") leverForm(v); else $("levers").replaceChildren();
    if (v.submitted) say(Z.t("team.submitted"), "info");
    else if (v.phase === "lobby" || v.phase === "results") say(Z.t("team.waiting"), "info");
    else if (v.phase === "paused") say(Z.t("phase.paused"), "info");
    else say("", "info");
  }
  const rkey = [v.results.length, Z.lang].join("|");
  if (v.results.length && rkey !== T.resultsKey) {
    T.resultsKey = rkey;
    const last = v.results[v.results.length - 1];
    const mine = last.find((r) => r.team === v.team.name);
    const body = $("results-body"); body.replaceChildren();
    body.append(Z.el("p", {}, `${Z.t("team.round")} ${v.results.length}`), Z.resultsTable(last, v.measures, v.team.name));
    const list = (obj) => Object.entries(obj).map(([k, n]) => `${k}: ${n}`).join(", ") || Z.t("team.none");
    body.append(Z.el("p", { id: "won" }, `${Z.t("team.won_from")}: ${list(mine.won_from)}`),
                Z.el("p", { id: "lost" }, `${Z.t("team.lost_to")}: ${list(mine.lost_to)}`));
    body.append(Z.el("ul", { class: "feed" }, ...v.feed.map(Z.feedItem)));
    $("results").hidden = false;
  }
}

async function poll() {
  if (!T.token) return;
  try { T.view = await Z.get("/api/team?token=" + encodeURIComponent(T.token)); render(T.view); }
  catch (e) {
    if (/join again|no game/.test(e.message)) { localStorage.removeItem("zs-token"); T.token = ""; showJoin(e.message); }
  }
}

function showJoin(text) {
  $("join").hidden = false; $("play").hidden = true; $("results").hidden = true;
  $("join-message").textContent = text || "";
}

$("join-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    const seat = await Z.post("/api/join", { code: $("code").value, name: $("name").value });
    T.token = seat.token; localStorage.setItem("zs-token", seat.token);
    $("join-message").textContent = ""; await poll();
  } catch (e) { $("join-message").textContent = e.message; }
});
$("lang").addEventListener("click", async () => { await Z.toggleLang(); T.formKey = ""; T.resultsKey = ""; if (T.view) render(T.view); });

(async () => {
  await Z.loadTerms();
  const code = new URLSearchParams(location.search).get("code");
  if (code) $("code").value = code;
  if (T.token) await poll(); else showJoin();
  setInterval(poll, 2000);
})();
