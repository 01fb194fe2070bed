// comparison.html: two runs compared, self-contained like report.html. Tables of every client and
// edge (before → after, difference) and a chart of the chosen figure per row, drawn from the
// comparison embedded as JSON (#comparison).
import { metricDelta, metricValue } from "../compare-markdown.js";
import type { CompareRow, Comparison, Metric } from "../compare.js";
import { asset, clientSource, d3Source } from "./assets.js";
import { esc, inlineScript, scriptJson } from "./escape.js";
import { section } from "./page-sections.js";

const METRIC_ORDER: readonly Metric[] = ["requests", "errorRate", "mean", "p50", "p99"];

/** Higher latency or error rate is worse (red); request counts are neutral. */
function deltaClass(m: Metric, r: CompareRow): string {
  if (r.delta === null || m === "requests") return "";
  const d = r.delta[m].abs;
  return d > 0 ? "delta-up" : d < 0 ? "delta-down" : "";
}

function rowsTable(kind: string, rows: CompareRow[]): string {
  if (rows.length === 0) return "";
  const body = rows.map((r) => {
    const cells = METRIC_ORDER.map((m) => {
      if (r.before === null || r.after === null) {
        const v = (r.before ?? r.after)![m];
        return `<td class="num">${esc(metricValue(m, v))}</td>`;
      }
      return `<td class="num">${esc(metricValue(m, r.before[m]))} → <b>${esc(metricValue(m, r.after[m]))}</b><br><span class="${deltaClass(m, r)}">${esc(metricDelta(m, r.delta![m]))}</span></td>`;
    }).join("");
    return `<tr class="${r.presence === "both" ? "" : "only"}" data-row="${esc(r.label)}"><th scope="row">${esc(r.label)}${r.presence === "both" ? "" : ` <span class="pill">${esc(r.presence)}</span>`}</th>${cells}</tr>`;
  }).join("");
  return `<div class="scroll"><table class="grid"><thead><tr><th>${esc(kind)}</th><th>requests</th><th>error rate</th><th>mean ms</th><th>p50 ms</th><th>p99 ms</th></tr></thead><tbody>${body}</tbody></table></div>`;
}

export function renderComparisonHtml(c: Comparison): string {
  const run = (label: string, r: Comparison["before"]) =>
    `<div class="tile"><div class="tile-label">${label}</div><div class="tile-value" style="font-size:18px">${esc(r.scenario)} <span class="sep">· seed ${esc(r.seed)}</span></div><div class="muted" style="color:#a9bbd8">${esc(r.dir)} · ${esc(r.simulatedSeconds)} s simulated</div></div>`;
  const only = [...c.clients, ...c.edges].filter((r) => r.presence !== "both").length;
  const controls = `<div class="controls" role="group" aria-label="figure">
<span class="muted">figure</span>${METRIC_ORDER.filter((m) => m !== "requests").map((m, i) => `<button type="button" class="toggle${i === 3 ? " on" : ""}" data-metric="${m}">${m === "errorRate" ? "error rate" : m}</button>`).join("")}</div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>meshsim comparison: ${esc(c.after.scenario)} vs ${esc(c.before.scenario)}</title>
<style>
${asset("page.css")}
</style>
</head>
<body>
<header class="top"><div class="wrap"><div class="brand">meshsim comparison</div>
<h1>${esc(c.after.scenario)} <span style="color:#9fb6d9">vs</span> ${esc(c.before.scenario)}</h1>
<p class="meta">Differences are after − before. Higher latency or error rate in red, lower in green.${only > 0 ? ` ${only} row(s) exist in one run only.` : ""}</p>
<div class="tiles">${run("before (--vs)", c.before)}${run("after", c.after)}</div></div></header>
<main class="wrap">
${section("chart", "Before and after", `${controls}<div class="card"><div id="compare-chart" class="chart"></div>
<div class="legend"><span><i class="dot" style="background:#98a2b3"></i>before</span><span><i class="dot" style="background:#2f6fde"></i>after</span><span><i class="dot" style="background:#c9190b"></i>worse</span><span><i class="dot" style="background:#3e8635"></i>better</span></div></div>`)}
${section("clients", "Clients", rowsTable("client", c.clients))}
${c.edges.length > 0 ? section("edges", "Edges", `<p class="note">Matched by source workload, destination workload and service.</p>${rowsTable("edge", c.edges)}`) : ""}
</main>
<footer class="wrap">meshsim · drawn from the two runs' summary.json (the comparison is embedded as <code>#comparison</code>) · no network needed</footer>
<div id="tip" role="tooltip"></div>
<script type="application/json" id="comparison">${scriptJson(c)}</script>
<script>
${inlineScript(d3Source())}
</script>
<script>
${inlineScript(clientSource(["client/common.js", "client/compare.js"]))}
</script>
</body>
</html>
`;
}
