// compare-modes.html: the page of report/mode-comparison.ts, self-contained like report.html (no
// scripts: three tables and the list of findings).
import { change, MESH_MODES, type ModeComparison } from "../mode-comparison.js";
import { asset } from "./assets.js";
import { esc } from "./escape.js";
import { section } from "./page-sections.js";

function num(x: number): string {
  return String(Number(x.toPrecision(12)));
}

function pct(x: number): string {
  return `${num(Math.round(x * 1e6) / 1e4)}%`;
}

function changeCell(text: string): string {
  const cls = text.startsWith("+") ? "delta-up" : text.startsWith("−") ? "delta-down" : "";
  return `<td class="num"><span class="${cls}">${esc(text)}</span></td>`;
}

export function renderModeComparisonHtml(c: ModeComparison): string {
  const cost = `<div class="scroll"><table class="grid"><thead><tr><th>mode</th><th>requests</th><th>error rate</th><th>proxies</th><th>proxy CPU (cores)</th><th>proxy memory (MB)</th><th>monthly cost</th><th>app CPU (cores)</th><th>failed expectations</th></tr></thead><tbody>${
    c.modes.map((m) => `<tr><th scope="row">${esc(m.mode)}</th><td class="num">${m.requests}</td><td class="num">${esc(pct(m.errorRate))}</td><td class="num">${m.proxies}</td><td class="num">${esc(num(m.proxyCores))}</td><td class="num">${esc(num(m.proxyMemoryMB))}</td><td class="num">${esc(`${num(m.costPerMonth)} ${m.currency}`)}</td><td class="num">${esc(num(m.appCores))}</td><td class="num">${m.expectationsFailed}</td></tr>`).join("")
  }</tbody></table></div>`;
  const rows = c.clients.flatMap((cl) => MESH_MODES.flatMap((mode) => {
    const f = cl.byMode[mode];
    if (f === undefined) return [];
    const base = cl.byMode.sidecar;
    const d50 = mode === "sidecar" ? "" : change(base?.p50, f.p50, " ms");
    const d99 = mode === "sidecar" ? "" : change(base?.p99, f.p99, " ms");
    return [`<tr><th scope="row">${esc(cl.name)}</th><td>${esc(mode)}</td><td class="num">${f.requests}</td><td class="num">${esc(pct(f.errorRate))}</td><td class="num">${esc(num(f.p50))}</td><td class="num">${esc(num(f.p99))}</td>${changeCell(d50)}${changeCell(d99)}</tr>`];
  })).join("");
  const clients = `<p class="note">Latency in ms; changes are from the sidecar run (higher in red).</p><div class="scroll"><table class="grid"><thead><tr><th>client</th><th>mode</th><th>requests</th><th>error rate</th><th>p50</th><th>p99</th><th>p50 change</th><th>p99 change</th></tr></thead><tbody>${rows}</tbody></table></div>`;
  const findings = c.findings.length === 0
    ? `<p>Nothing: <code>meshsim analyze</code> finds no message in ambient mode that it does not find with sidecars.</p>`
    : `<p class="note">Messages <code>meshsim analyze</code> gives for the ambient run and not for the sidecar one.</p><ul>${c.findings.map((f) => `<li><b>${esc(f.level)} ${esc(f.code)}</b> (${esc(f.resource)}): ${esc(f.message)}${f.when !== undefined ? ` <span class="pill">${esc(f.when)}</span>` : ""}</li>`).join("")}</ul>`;
  const list = (xs: readonly string[]) => `<ul>${xs.map((x) => `<li>${esc(x)}</li>`).join("")}</ul>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>meshsim compare-modes: ${esc(c.scenario)}</title>
<style>
${asset("page.css")}
</style>
</head>
<body>
<header class="top"><div class="wrap"><div class="brand">meshsim compare-modes</div>
<h1>What would ambient change? ${esc(c.scenario)}</h1>
<p class="meta">seed ${esc(c.seed)} · ${esc(c.simulatedSeconds)} s simulated · runs in ${c.modes.map((m) => esc(m.dir)).join(", ")}</p></div></header>
<main class="wrap">
${section("cost", "Cost of the data plane", cost)}
${section("clients", "Latency and errors per client", clients)}
${section("findings", "Config that stops working or changes meaning in ambient", findings)}
${c.migration.length > 0 ? section("migration", "How the ambient run enrolled the workloads", list(c.migration)) : ""}
${c.notes.length > 0 ? section("notes", "Model notes", list(c.notes)) : ""}
</main>
</body>
</html>
`;
}
