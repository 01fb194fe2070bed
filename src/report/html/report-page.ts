// report.html: one self-contained file (d3, styles, scripts and data inlined; opens without a
// network). The summary is embedded as JSON and the charts are drawn from it in the browser, so what
// the page shows is summary.json; the latency histograms come from histograms.json (the recorder's
// HDR histograms, re-binned). Without them the page says so and shows the stored percentiles only.
import type { HistogramsFile } from "../latency-bins.js";
import type { Summary } from "../summary-types.js";
import { asset, CLIENT_SCRIPTS, clientSource, d3Source } from "./assets.js";
import { esc, inlineScript, scriptJson } from "./escape.js";
import { localitySection } from "./locality-section.js";
import { autoscalerSection } from "./autoscaler-section.js";
import { resourcesSection } from "./resources-section.js";
import {
  clientsSection, clustersSection, controlPlaneSection, edgesTable, errorsSection, eventsSection, expectationsSection, headerSection, meshSection, podsSection, section,
} from "./page-sections.js";

const NAV: [string, string][] = [
  ["topology", "Topology"], ["latency", "Latency"], ["over-time", "Over time"], ["errors", "Errors"],
  ["pods", "Pods"], ["resources", "CPU"], ["zones", "Zones"], ["autoscalers", "Autoscalers"], ["mesh", "Mesh"], ["control-plane", "Control plane"], ["clusters", "Envoy clusters"], ["events", "Events"],
];

export function renderHtml(s: Summary, histograms: HistogramsFile | null): string {
  const latencyNote = histograms === null
    ? `<p class="note warn-note" id="no-histograms">The latency histograms (histograms.json, written beside summary.json by <code>meshsim run</code> with the html format) were not found, so the distribution is drawn from summary.json's percentiles only (p50, p90, p99, p99.9, max).</p>`
    : `<p class="note">From the run's HDR histograms (3 significant digits), kept in log-spaced bins (up to 1000 per decade, fewer for a wide distribution) and merged into bars for drawing. Dashed lines: p50 and p99 from summary.json.</p>`;
  const scaleToggle = `<div class="controls" role="group" aria-label="latency axis">
<span class="muted">latency axis</span>
<button type="button" class="toggle on" data-scale="log">log</button><button type="button" class="toggle" data-scale="linear">linear</button></div>`;

  const resources = resourcesSection(s);
  const body = [
    headerSection(s),
    `<nav class="sections"><div class="wrap">${NAV.filter(([id]) => id !== "clusters" || Object.keys(s.clusters).length > 0)
      .filter(([id]) => id !== "events" || s.events.length > 0)
      .filter(([id]) => id !== "zones" || s.locality !== undefined)
      .filter(([id]) => id !== "resources" || resources !== "")
      .filter(([id]) => id !== "autoscalers" || s.autoscalers !== undefined)
      .map(([id, t]) => `<a href="#${id}">${esc(t)}</a>`).join("")}</div></nav>`,
    `<main class="wrap">`,
    expectationsSection(s),
    section("topology", "Topology", `<p class="note">Workloads and the traffic between them, as Kiali draws the mesh: each edge is labelled with its request rate, error share and p99, coloured by health (Kiali's default thresholds: 5xx above 0 % degraded, 10 % failure; 4xx 10 % and 20 %); a lock marks mutual TLS. Hover for detail.</p>
<div class="card"><div id="topology-graph" class="chart"></div>
<div class="legend"><span><i class="dot healthy"></i>healthy</span><span><i class="dot degraded"></i>degraded</span><span><i class="dot failure"></i>failure</span><span><i class="lock"></i>mTLS</span><span><i class="node-gen"></i>load generator</span><span><i class="node-unknown"></i>unknown destination</span></div></div>
${edgesTable(s)}`),
    clientsSection(s),
    section("latency", "Latency distribution", `${latencyNote}${scaleToggle}<div id="latency-charts" class="cards"></div>`),
    section("over-time", "Over simulated time", `<p class="note">Per window of ${esc(s.timeSeries.windowSeconds)} s: p50 and p99 latency, requests per second split into answers and errors, and the error rate. Vertical lines mark the timeline's changes (events); red ticks mark outlier ejections.</p><div id="timeseries-charts" class="cards"></div>${s.timeSeries.edges.length === 0 ? "" : `
<h3 class="subhead">Calls between workloads</h3><p class="note">The same per edge (summary.json's <code>timeSeries.edges</code>), one edge at a time: failures inside the mesh show here even when a caller absorbed them and its clients saw none.</p><div id="edge-timeseries" class="cards"></div>`}${s.autoscalers === undefined ? "" : `
<h3 class="subhead">Autoscalers</h3><p class="note">Per HorizontalPodAutoscaler at each of its syncs (15 s), on the same time axis as the latency above: the Deployment's pods (current), those Ready, the HPA's desired count, and each metric against its target; dashed lines mark its rescale decisions.</p><div id="autoscaler-charts" class="cards"></div>`}`),
    errorsSection(s),
    podsSection(s),
    resources,
    ...(s.locality !== undefined ? [localitySection(s)] : []),
    ...(s.autoscalers !== undefined ? [autoscalerSection(s)] : []),
    meshSection(s),
    controlPlaneSection(s),
    clustersSection(s),
    eventsSection(s),
    `</main>`,
    `<footer class="wrap">meshsim ${esc(s.meshsim)} · drawn from summary.json (embedded in this page as <code>#summary</code>)${histograms === null ? "" : " and histograms.json (<code>#histograms</code>)"} · d3 inlined, no network needed</footer>`,
    `<div id="tip" role="tooltip"></div>`,
  ].join("\n");

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>meshsim report: ${esc(s.scenario)}</title>
<style>
${asset("page.css")}
</style>
</head>
<body>
${body}
<script type="application/json" id="summary">${scriptJson(s)}</script>
<script type="application/json" id="histograms">${scriptJson(histograms)}</script>
<script>
${inlineScript(d3Source())}
</script>
<script>
${inlineScript(clientSource(s.autoscalers === undefined ? CLIENT_SCRIPTS : [...CLIENT_SCRIPTS.slice(0, -1), "client/autoscaler.js", CLIENT_SCRIPTS[CLIENT_SCRIPTS.length - 1]]))}
</script>
</body>
</html>
`;
}
