// Shared by the classroom pages: labels from the glossary, the API, numbers and charts.
"use strict";
const Z = {
  lang: localStorage.getItem("zs-lang") || "",
  terms: {},
  cities: {},
  async loadTerms() {
    const data = await Z.get("/api/terms" + (Z.lang ? "?lang=" + Z.lang : ""));
    Z.lang = data.lang; Z.terms = data.terms; Z.cities = data.cities;
    document.documentElement.lang = Z.lang === "zh" ? "zh-CN" : "en";
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = Z.t(el.dataset.t); });
  },
  t(key, values) {
    let text = Z.terms["classroom." + key] || key;
    for (const [k, v] of Object.entries(values || {})) text = text.split("{" + k + "}").join(v);
    return text;
  },
  city(id) { return Z.cities[id] || id; },
  async get(url) {
    const r = await fetch(url, { cache: "no-store" });
    const data = await r.json();
    if (!r.ok) throw new Error(data.error || r.statusText);
    return data;
  },
  async post(url, body) {
    const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
                                 body: JSON.stringify(body) });
    const data = await r.json();
    if (!r.ok) throw new Error(data.error || r.statusText);
    return data;
  },
  async toggleLang() {
    Z.lang = Z.lang === "zh" ? "en" : "zh";
    localStorage.setItem("zs-lang", Z.lang);
    await Z.loadTerms();
  },
  fmt(measure, value) {
    if (measure === "net_fiscal_yuan") return (value / 1e6).toFixed(1);
    if (measure === "credibility") return value.toFixed(2);
    if (measure === "idle_land_ha") return value.toFixed(0);
    return Math.round(value).toLocaleString();
  },
  clock(seconds) {
    const s = Math.max(0, Math.ceil(seconds));  // 0:00 only once the deadline has passed
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  },
  el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c instanceof Node ? c : String(c));
    return node;
  },
  // The results of one round as a table, one row per team (the given team highlighted).
  resultsTable(rows, measures, mine) {
    const head = Z.el("tr", {}, Z.el("th", {}, Z.t("export.team")), Z.el("th", {}, Z.t("export.city")),
      ...measures.map((m) => Z.el("th", { class: "num" }, Z.t("measure." + m))));
    const body = rows.map((r) => Z.el("tr", r.team === mine ? { class: "mine" } : {},
      Z.el("td", {}, r.team), Z.el("td", {}, Z.city(r.city)),
      ...measures.map((m) => Z.el("td", { class: "num" }, Z.fmt(m, r[m])))));
    return Z.el("div", { class: "scroll" }, Z.el("table", {}, Z.el("thead", {}, head), Z.el("tbody", {}, ...body)));
  },
  // A line chart (SVG) of one measure by round, one line per team.
  chart(results, measure) {
    const W = 480, H = 220, L = 52, B = 28;
    const teams = [...new Set(results.flat().map((r) => r.team))];
    const values = results.flat().map((r) => r[measure]);
    let lo = Math.min(0, ...values), hi = Math.max(...values, lo + 1e-9);
    const x = (i) => L + (results.length > 1 ? i * (W - L - 10) / (results.length - 1) : (W - L) / 2);
    const y = (v) => H - B - (v - lo) / (hi - lo) * (H - B - 30);
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`); svg.setAttribute("class", "chart");
    const add = (tag, attrs, text) => {
      const n = document.createElementNS(ns, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
      if (text !== undefined) n.textContent = text;
      svg.append(n); return n;
    };
    add("text", { x: 4, y: 14, "font-size": 13 }, Z.t("measure." + measure));
    add("line", { x1: L, x2: W - 5, y1: H - B, y2: H - B, stroke: "#999" });
    add("text", { x: L - 4, y: y(hi) + 4, "font-size": 10, "text-anchor": "end" }, Z.fmt(measure, hi));
    add("text", { x: L - 4, y: y(lo) + 4, "font-size": 10, "text-anchor": "end" }, Z.fmt(measure, lo));
    results.forEach((_, i) => add("text", { x: x(i), y: H - 8, "font-size": 10, "text-anchor": "middle" }, i + 1));
    teams.forEach((team, k) => {
      const color = `hsl(${(k * 137) % 360} 65% 40%)`;
      const pts = results.map((rows, i) => { const r = rows.find((q) => q.team === team);
        return r ? `${x(i)},${y(r[measure])}` : null; }).filter(Boolean).join(" ");
      add("polyline", { points: pts, fill: "none", stroke: color, "stroke-width": 2 });
      const last = results[results.length - 1].find((q) => q.team === team);
      if (last) add("text", { x: x(results.length - 1) - 4, y: y(last[measure]) - 4, "font-size": 10,
                              fill: color, "text-anchor": "end" }, team);
    });
    return svg;
  },
  feedItem(item) {
    return Z.el("li", {}, `${Z.t("team.round")} ${item.round}: ` + Z.t(item.key.replace("classroom.", ""), item.values));
  },
};
