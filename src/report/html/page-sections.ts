// The parts of report.html written as plain HTML when the page is rendered: header figures, tables
// and glossaries. Every figure is summary.json's own value (latencies to the µs as stored there,
// rates as percentages of the stored fraction); derived totals say how they are derived. Charts are
// drawn in the browser from the same summary, embedded in the page (client/*.js).
import { RESPONSE_FLAG_DESCRIPTIONS, RESPONSE_FLAG_LONG_NAMES, RESPONSE_FLAG_ORDER, type ResponseFlag } from "../../proxy/response-flags.js";
import { STATUS_TEXT } from "../status-text.js";
import { headline } from "../headline.js";
import { int } from "../number-text.js";
import { share } from "../share.js";
import { noActual } from "../expectations.js";
import { round3 } from "../summary.js";
import type { ClientSummary, EdgeSummary, LatencySummary, Summary } from "../summary-types.js";
import { COUNTER_TEXT } from "./counter-text.js";
import { esc } from "./escape.js";

/** Events listed in full; the rest are counted. */
const MAX_EVENTS_SHOWN = 100;

export { int };

/** A stored fraction as a percentage, exactly (0.004 → "0.4%"). */
export function pct(rate: number): string {
  return `${Number((rate * 100).toPrecision(12))}%`;
}

/** A latency as stored (ms, 3 decimals). */
export function ms(x: number): string {
  return `${int(x)} ms`;
}

export function isErrorCode(code: string): boolean {
  const c = Number(code);
  return c === 0 || c >= 500;
}

/** Requests with code 0 or 5xx, from the codes map (summary's definition of an error). */
export function errorCount(codes: Record<string, number>): number {
  let n = 0;
  for (const [c, v] of Object.entries(codes)) if (isErrorCode(c)) n += v;
  return n;
}

export interface Totals {
  requests: number;
  errors: number;
  /** errors / requests rounded as summary.json rounds rates; for a single client, its stored errorRate. */
  errorRate: number;
}

export function totals(s: Summary): Totals {
  const cs = Object.values(s.clients);
  const requests = cs.reduce((a, c) => a + c.requests, 0);
  const errors = cs.reduce((a, c) => a + errorCount(c.codes), 0);
  const errorRate = cs.length === 1 ? cs[0]!.errorRate : requests === 0 ? 0 : round3(errors / requests);
  return { requests, errors, errorRate };
}

function figure(name: string, value: number | string, label: string, text: string, title: string, cls = "", sub = ""): string {
  return `<div class="tile ${cls}" title="${esc(title)}"><div class="tile-label">${esc(label)}</div>` +
    `<div class="tile-value" data-figure="${esc(name)}" data-value="${esc(value)}">${esc(text)}</div>${sub}</div>`;
}

function codeClass(code: string): string {
  const c = Number(code);
  return c === 0 ? "c0" : c >= 500 ? "c5" : c >= 400 ? "c4" : c >= 300 ? "c3" : "c2";
}

export function headerSection(s: Summary): string {
  const t = totals(s);
  const warmup = Math.round((s.simulatedSeconds - s.measuredSeconds) * 1000) / 1000;
  const failed = s.expectations.filter((e) => !e.ok).length;
  const tiles: string[] = [
    figure("requests", t.requests, "Requests", int(t.requests), "completed requests over all load generators, after the warm-up"),
    figure(
      "errorRate", t.errorRate, "Error rate", share(t.errors, t.requests),
      "requests with no HTTP response (code 0) or a 5xx, over all requests" + (Object.keys(s.clients).length > 1 ? " (all clients)" : ""),
      t.errors >= 0.1 * t.requests ? "bad" : t.errors > 0 ? "warn" : "good",
      `<div class="tile-sub"><span data-figure="errors" data-value="${t.errors}">${esc(int(t.errors))}</span> ${t.errors === 1 ? "error" : "errors"}</div>`,
    ),
  ];
  const h = headline(s);
  if (h.internal.calls > 0) {
    const f = h.internal.failed;
    tiles.push(figure(
      "internalFailed", f, "Calls between services failed", `${int(f)}`,
      "calls from one workload to another inside the mesh (not the clients' own first hop) that got no response or a 5xx; their callers may have hidden them from the clients",
      f >= 0.1 * h.internal.calls ? "bad" : f > 0 ? "warn" : "good",
      `<div class="tile-sub"><span data-figure="internalShare" data-value="${f}">${esc(share(f, h.internal.calls))}</span> of <span data-figure="internalCalls" data-value="${h.internal.calls}">${esc(int(h.internal.calls))}</span></div>`,
    ));
  }
  for (const [name, c] of Object.entries(s.clients)) {
    tiles.push(
      `<div class="tile" title="latency as load generator ${esc(name)} sees its answers"><div class="tile-label">${esc(name)} p50 · p99</div>` +
        `<div class="tile-value"><span data-figure="p50" data-client="${esc(name)}" data-value="${c.latencyMs.p50}">${esc(ms(c.latencyMs.p50))}</span>` +
        ` <span class="sep">·</span> <span data-figure="p99" data-client="${esc(name)}" data-value="${c.latencyMs.p99}">${esc(ms(c.latencyMs.p99))}</span></div></div>`,
    );
  }
  if (s.expectations.length > 0) {
    tiles.push(figure(
      "expectations", s.expectations.length - failed, "Expectations", `${s.expectations.length - failed} / ${s.expectations.length} passed`,
      "the scenario's expect: block", failed === 0 ? "good" : "bad",
    ));
  }
  return `<header class="top">
<div class="wrap">
<div class="brand">meshsim report</div>
<h1 data-figure="scenario">${esc(s.scenario)}</h1>
${s.interrupted !== undefined ? `<p class="meta"><b>Interrupted</b> at <b data-figure="interrupted">${esc(s.interrupted.atSimulatedSeconds)}</b> simulated s: the figures cover the run up to there.</p>\n` : ""}<p class="meta">seed <b data-figure="seed">${esc(s.seed)}</b> · <b data-figure="simulatedSeconds">${esc(s.simulatedSeconds)}</b> s simulated,
<b data-figure="measuredSeconds">${esc(s.measuredSeconds)}</b> s measured (${warmup > 0 ? `after a ${esc(warmup)} s warm-up` : "no warm-up"}) · windows of ${esc(s.timeSeries.windowSeconds)} s · meshsim ${esc(s.meshsim)}</p>
<p class="headline${h.internal.failed > 0 ? " bad" : ""}" data-figure="headline">${esc(h.text)}</p>
${h.worst.length === 0 ? "" : `<ul class="headline-worst">${h.worst.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>`}
<div class="tiles">${tiles.join("")}</div>
</div>
</header>`;
}

export function expectationsSection(s: Summary): string {
  if (s.expectations.length === 0) return "";
  const rows = s.expectations.map((e) =>
    `<li class="${e.ok ? "ok" : "fail"}"><span class="badge ${e.ok ? "good" : "bad"}">${e.ok ? "pass" : "fail"}</span> <code>${esc(e.text)}</code>` +
      ` <span class="muted">actual</span> <b>${e.actual === null ? esc(noActual(e.text)) : esc(int(e.actual))}</b></li>`,
  );
  return section("expectations", "Expectations", `<ul class="expectations">${rows.join("")}</ul>`);
}

function latCells(l: LatencySummary): string {
  return [l.mean, l.p50, l.p90, l.p99, l.p999, l.max].map((x) => `<td class="num">${esc(int(x))}</td>`).join("");
}

export function clientsSection(s: Summary): string {
  const rows = Object.entries(s.clients).map(([name, c]) =>
    `<tr data-client="${esc(name)}"><th scope="row"><span class="swatch" data-swatch="${esc(name)}"></span>${esc(name)}</th>` +
      `<td class="num">${esc(int(c.requests))}</td><td class="num">${esc(int(c.rps))}</td><td class="num ${c.errorRate > 0 || errorCount(c.codes) > 0 ? "err" : ""}">${esc(share(errorCount(c.codes), c.requests))}${c.ci95?.errorRate === null || c.ci95?.errorRate === undefined ? "" : ` <span class="muted">± ${esc(`${(100 * c.ci95.errorRate).toFixed(2)}%`)}</span>`}</td>` +
      `${clientLatCells(c)}<td class="num">${esc(int(c.meanInflight))}</td></tr>`,
  );
  const notes = Object.entries(s.clients).filter(([, c]) => c.ci95 !== undefined).map(([name, c]) => {
    const b = c.ci95!;
    const how = b.batches > 0 ? `${b.batches} batches of ${b.windowsPerBatch} windows, lag-1 autocorrelation ${b.lag1 ?? "–"}` : "no batches";
    return `<li>${esc(name)}: ${esc(how)}${b.why !== undefined ? `; not given: ${esc(b.why)}` : ""}</li>`;
  });
  const ciNote = notes.length === 0 ? "" : `<p class="note">± is the half-width of the 95% confidence interval from this one run, by batch means (docs/reports.md, "Confidence intervals of one run"):</p><ul class="note">${notes.join("")}</ul>`;
  return section("clients", "Clients", `<p class="note">Latency in ms as each load generator sees its answers, after the warm-up.</p>
<div class="scroll"><table class="grid"><thead><tr><th>client</th><th>requests</th><th>req/s</th><th>error rate</th><th>mean</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th title="time-average requests in flight (Little's L)">in flight</th></tr></thead>
<tbody>${rows.join("")}</tbody></table></div>${ciNote}`);
}

/** A client's latency cells, the mean and p99 with ± their 95 % half-widths when summary.json gives them. */
function clientLatCells(c: ClientSummary): string {
  const l = c.latencyMs, ci = c.ci95;
  const pm = (x: number | null | undefined) => (x === null || x === undefined ? "" : ` <span class="muted">± ${esc(int(x))}</span>`);
  return [[l.mean, ci?.mean], [l.p50, null], [l.p90, null], [l.p99, ci?.p99], [l.p999, null], [l.max, null]]
    .map(([x, h]) => `<td class="num">${esc(int(x!))}${pm(h)}</td>`).join("");
}

function edgeName(e: EdgeSummary): string {
  return `${e.source} → ${e.destination}`;
}

export function edgesTable(s: Summary): string {
  if (s.edges.length === 0) return "";
  const rows = s.edges.map((e) =>
    `<tr><th scope="row">${esc(edgeName(e))}</th><td>${esc(e.service)}</td><td>${e.reporter}</td><td class="num">${esc(int(e.requests))}</td>` +
      `<td class="num ${e.errorRate > 0 || errorCount(e.codes) > 0 ? "err" : ""}">${esc(share(errorCount(e.codes), e.requests))}</td>${latCells(e.latencyMs)}<td>${e.mtls ? "mTLS" : "plaintext"}</td></tr>`,
  );
  return `<details class="more"><summary>All edges as a table (${s.edges.length})</summary><div class="scroll"><table class="grid">
<thead><tr><th>source → destination</th><th>service</th><th>reporter</th><th>requests</th><th>error rate</th><th>mean</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th>TLS</th></tr></thead>
<tbody>${rows.join("")}</tbody></table></div></details>`;
}

interface Subject {
  label: string;
  kind: "client" | "edge";
  requests: number;
  codes: Record<string, number>;
  flags: Record<string, number>;
}

function subjects(s: Summary): Subject[] {
  const out: Subject[] = Object.entries(s.clients).map(([n, c]: [string, ClientSummary]) => ({ label: n, kind: "client", requests: c.requests, codes: c.codes, flags: c.flags }));
  for (const e of s.edges) out.push({ label: `${edgeName(e)} (${e.service})`, kind: "edge", requests: e.requests, codes: e.codes, flags: e.flags });
  return out;
}

function isKnownFlag(f: string): f is ResponseFlag {
  return Object.prototype.hasOwnProperty.call(RESPONSE_FLAG_DESCRIPTIONS, f);
}

function flagTitle(f: string): string {
  return f.split(",").map((one) => (isKnownFlag(one) ? `${one}: ${RESPONSE_FLAG_LONG_NAMES[one]} — ${RESPONSE_FLAG_DESCRIPTIONS[one]}` : one === "-" ? "-: no flag" : one)).join("\n");
}

/** A share bar: one segment per key, widths proportional to counts. */
function shareBar(entries: [string, number][], total: number, cls: (k: string) => string, title: (k: string) => string): string {
  if (total === 0) return "";
  return `<div class="sharebar">${entries.map(([k, v]) =>
    `<span class="${cls(k)}" style="width:${((100 * v) / total).toFixed(3)}%" title="${esc(`${title(k)}: ${int(v)} (${share(v, total)})`)}"></span>`).join("")}</div>`;
}

export function errorsSection(s: Summary): string {
  const subs = subjects(s);
  const codes = new Set<string>();
  const flagSets = new Set<string>();
  const single = new Set<string>();
  for (const x of subs) {
    for (const c of Object.keys(x.codes)) codes.add(c);
    for (const f of Object.keys(x.flags)) {
      flagSets.add(f);
      for (const one of f.split(",")) if (one !== "-") single.add(one);
    }
  }
  const codeList = [...codes].sort((a, b) => Number(a) - Number(b));
  const flagList = [...flagSets].sort((a, b) => (a === "-" ? -1 : b === "-" ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const statusTitle = (c: string) => `${c}: ${(STATUS_TEXT[c] ?? "HTTP status").replace(/`/g, "")}`;

  const codeRows = subs.map((x) => {
    const entries = codeList.filter((c) => x.codes[c] !== undefined).map((c): [string, number] => [c, x.codes[c]!]);
    return `<tr class="${x.kind}"><th scope="row"><span class="kind">${x.kind}</span> ${esc(x.label)}</th><td class="num">${esc(int(x.requests))}</td>` +
      codeList.map((c) => {
        const v = x.codes[c];
        return `<td class="num ${v !== undefined && isErrorCode(c) ? "err" : ""}">${v === undefined ? "" : esc(int(v))}</td>`;
      }).join("") +
      `<td class="barcell">${shareBar(entries, x.requests, codeClass, statusTitle)}</td></tr>`;
  });
  const flagRows = subs.map((x) => {
    const entries = flagList.filter((f) => x.flags[f] !== undefined).map((f): [string, number] => [f, x.flags[f]!]);
    return `<tr class="${x.kind}"><th scope="row"><span class="kind">${x.kind}</span> ${esc(x.label)}</th>` +
      flagList.map((f) => {
        const v = x.flags[f];
        return `<td class="num ${v !== undefined && f !== "-" ? "err" : ""}">${v === undefined ? "" : esc(int(v))}</td>`;
      }).join("") +
      `<td class="barcell">${shareBar(entries, x.requests, (f) => (f === "-" ? "f0" : "f1"), (f) => (f === "-" ? "no flag" : f))}</td></tr>`;
  });

  const codeGloss = codeList.map((c) => `<li><span class="code ${codeClass(c)}">${esc(c)}</span> ${esc((STATUS_TEXT[c] ?? "HTTP status").replace(/`/g, ""))}</li>`);
  const flagGloss = RESPONSE_FLAG_ORDER.filter((f) => single.has(f)).map((f) =>
    `<li><span class="flag">${f}</span> <b>${RESPONSE_FLAG_LONG_NAMES[f]}</b> — ${esc(RESPONSE_FLAG_DESCRIPTIONS[f])}</li>`);
  for (const f of [...single].filter((f) => !isKnownFlag(f)).sort()) flagGloss.push(`<li><span class="flag">${esc(f)}</span> Envoy response flag</li>`);
  const allFlags = RESPONSE_FLAG_ORDER.map((f) => `<li><span class="flag">${f}</span> <b>${RESPONSE_FLAG_LONG_NAMES[f]}</b> — ${esc(RESPONSE_FLAG_DESCRIPTIONS[f])}</li>`);

  return section("errors", "Errors: status codes and Envoy response flags", `
<p class="note">An error is a request with no HTTP response (code <code>0</code>) or a 5xx. Response flags are printed as Envoy's access log prints them (<code>%RESPONSE_FLAGS%</code>), several joined with a comma; <code>-</code> is none.</p>
<div class="two">
<div class="card"><h3>What the codes and flags mean</h3><ul class="gloss">${codeGloss.join("")}${flagGloss.join("")}</ul>
<details class="more"><summary>Every Envoy response flag</summary><ul class="gloss">${allFlags.join("")}</ul></details></div>
</div>
<h3>Responses by status code</h3>
<div class="scroll"><table class="grid codes"><thead><tr><th>where</th><th>requests</th>${codeList.map((c) => `<th title="${esc(statusTitle(c))}"><span class="code ${codeClass(c)}">${esc(c)}</span></th>`).join("")}<th class="barhead">share</th></tr></thead>
<tbody>${codeRows.join("")}</tbody></table></div>
<h3>Responses by Envoy response flags</h3>
<div class="scroll"><table class="grid flags"><thead><tr><th>where</th>${flagList.map((f) => `<th title="${esc(flagTitle(f))}"><span class="flag">${esc(f)}</span></th>`).join("")}<th class="barhead">share</th></tr></thead>
<tbody>${flagRows.join("")}</tbody></table></div>`);
}

/** A pod's workload: pods are named <deployment>-<index>, with .<namespace> outside the default one. */
export function podWorkload(pod: string): string {
  const m = /^(.*)-\d+(?:\.[a-z0-9-]+)?$/.exec(pod);
  return m === null ? pod : m[1]!;
}

export function podsSection(s: Summary): string {
  const pods = Object.entries(s.pods);
  if (pods.length === 0) return section("pods", "Pods", `<p class="note">No pods measured.</p><div id="ejections"></div>`);
  const rows = pods.map(([name, p]) => {
    const u = p.utilization;
    const bar = u === null
      ? `<span class="muted" title="the app has no concurrency limit, so utilisation is not defined; mean busy is the mean number of requests in service">unbounded</span>`
      : `<div class="ubar" title="${esc(pct(u))} of the app's slots busy on average"><span class="${u >= 0.9 ? "hot" : u >= 0.7 ? "warm" : ""}" style="width:${Math.min(100, 100 * u).toFixed(2)}%"></span></div>`;
    return `<tr data-pod="${esc(name)}"><th scope="row">${esc(name)}</th><td>${esc(podWorkload(name))}</td><td class="num">${esc(int(p.requests))}</td>` +
      `<td class="num">${u === null ? "–" : esc(pct(u))}</td><td class="barcell">${bar}</td><td class="num">${esc(int(p.meanBusy))}</td>` +
      `<td class="num ${p.ejections > 0 ? "err" : ""}">${esc(int(p.ejections))}</td></tr>`;
  });
  return section("pods", "Pods: utilisation and ejections", `
<p class="note">Utilisation is the busy share of the app's concurrency slots; ejections are outlier-detection ejections of the pod by any client's sidecar.</p>
<div class="scroll"><table class="grid"><thead><tr><th>pod</th><th>workload</th><th>requests</th><th>utilisation</th><th class="barhead"></th><th>mean busy</th><th>ejections</th></tr></thead>
<tbody>${rows.join("")}</tbody></table></div>
<div id="ejections"></div>`);
}

export function meshSection(s: Summary): string {
  const m = s.mesh;
  const tiles = [
    figure("proxies", m.proxies, "Sidecar proxies", int(m.proxies), "Envoy sidecars (and gateways) in the mesh"),
    figure("proxyCpuSeconds", m.proxyCpuSeconds, "Proxy CPU", `${int(m.proxyCpuSeconds)} s`, "CPU seconds spent in proxies over the run"),
    figure("xdsPushes", m.xdsPushes, "xDS pushes", int(m.xdsPushes), "configuration pushes from istiod to proxies"),
    figure("convergenceP50", m.convergenceMs.p50, "Convergence p50", ms(m.convergenceMs.p50), "time from a config change to the last proxy having it (median over changes)"),
    figure("convergenceMax", m.convergenceMs.max, "Convergence max", ms(m.convergenceMs.max), "the slowest change to reach every proxy"),
  ];
  return section("mesh", "Mesh", `<div class="tiles light">${tiles.join("")}</div>`);
}

/** Per-change rows listed in full; the rest are counted. */
const MAX_CHANGES_SHOWN = 200;

/** xDS figures per type in istiod's push order. */
const XDS_TYPES = ["cds", "eds", "lds", "rds"] as const;

export function controlPlaneSection(s: Summary): string {
  const m = s.mesh;
  const changes = m.changes ?? [];
  const nacks = XDS_TYPES.reduce((a, t) => a + m.xdsRejects[t], 0);
  const tiles = [
    figure("staleProxiesMax", m.staleProxiesMax, "Stale proxies max", int(m.staleProxiesMax), "most proxies behind istiod's latest config at once, after the warm-up", m.staleProxiesMax > 0 ? "warn" : ""),
    figure("xdsNacks", nacks, "NACKs", int(nacks), "xDS responses a proxy rejected (it kept its previous version): the sum of mesh.xdsRejects", nacks > 0 ? "bad" : "good"),
    figure("certificatesIssued", m.certificatesIssued, "Certificates", int(m.certificatesIssued), "workload certificates istiod's CA signed (first ones and rotations)"),
    figure("changes", changes.length + (m.changesDropped ?? 0), "istiod pushes", int(changes.length + (m.changesDropped ?? 0)), "pushes istiod started, one per debounced batch of changes (mesh.changes, plus mesh.changesDropped)"),
  ];
  const typeRows = XDS_TYPES.map((t) =>
    `<tr data-xds-type="${t}"><th scope="row">${t.toUpperCase()}</th><td class="num">${esc(int(m.xdsPushesByType[t]))}</td>` +
      `<td class="num ${m.xdsRejects[t] > 0 ? "err" : ""}">${esc(int(m.xdsRejects[t]))}</td></tr>`);
  const types = `<div class="card"><h3>xDS responses by type</h3><p class="sub">${esc(int(m.xdsPushes))} pushes to proxies; per type, in istiod's push order, how many proxies ACKed (applied) and NACKed (kept the previous version).</p>
<table class="grid xds-types"><thead><tr><th>type</th><th>ACK</th><th>NACK</th></tr></thead><tbody>${typeRows.join("")}</tbody></table></div>`;
  const chart = `<div class="card"><h3>Proxies on stale config</h3><p class="sub">Per window of ${esc(s.timeSeries.windowSeconds)} s: the most proxies behind istiod's latest config, and their time-average (pushed but not yet ACKed, not yet pushed, or NACKed). Vertical lines mark the timeline's changes.</p>
<div class="legend-series"><span><i style="background:#e8590c"></i>max</span><span><i style="background:#2f6fde"></i>mean</span><span><i style="background:#6b4fbb"></i>timeline change</span></div>
<div id="stale-proxies-chart" class="chart"></div></div>`;
  let table = `<p class="note">No pushes: nothing changed after the proxies got their first config.</p>`;
  if (changes.length > 0) {
    const rows = changes.slice(0, MAX_CHANGES_SHOWN).map((c, i) =>
      `<tr data-change="${i}"><td class="num">${esc(c.t)} s</td><td><span class="ev ev-${esc(c.kind)}">${esc(c.kind)}</span></td><td>${esc(c.what)}</td>` +
        `<td class="num">${c.convergenceMs === null ? `<span class="muted" title="some proxy never had it (istiod down, or the run ended)">not converged</span>` : esc(ms(c.convergenceMs))}</td>` +
        `<td class="num">${esc(int(c.proxiesPushed))}</td><td class="num ${c.rejected > 0 ? "err" : ""}">${esc(int(c.rejected))}</td></tr>`);
    const more = Math.max(0, changes.length - MAX_CHANGES_SHOWN) + (m.changesDropped ?? 0);
    table = `<h3>Convergence per change</h3><p class="note">One row per push istiod started: changes within its debounce are one push, dated by the first; convergence runs from that change reaching istiod to the last proxy's ACK or NACK.</p>
<div class="scroll"><table class="grid convergence"><thead><tr><th>time</th><th>kind</th><th>what changed</th><th>convergence</th><th>proxies pushed</th><th>NACKed</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>` +
      (more > 0 ? `<p class="note">… and ${esc(int(more))} more pushes.</p>` : "");
  }
  return section("control-plane", "Control plane", `<div class="tiles light">${tiles.join("")}</div>
<div class="cp-grid">${chart}${types}</div>
${table}`);
}

export function clustersSection(s: Summary): string {
  const blocks: string[] = [];
  for (const [workload, byCluster] of Object.entries(s.clusters)) {
    for (const [name, counters] of Object.entries(byCluster)) {
      const entries = Object.entries(counters);
      const nonZero = entries.filter(([, v]) => v !== 0);
      const chip = ([k, v]: [string, number]) =>
        `<span class="chip ${/overflow|fail|timeout|ejections_(enforced|active|detected)|retry$/.test(k) && v !== 0 ? "hot" : ""}" title="${esc(COUNTER_TEXT[k] ?? "Envoy cluster statistic")}"><span class="k">${esc(k)}</span> <b>${esc(int(v))}</b></span>`;
      blocks.push(`<tr><th scope="row">${esc(workload)}</th><td><code>${esc(name)}</code></td><td>${nonZero.map(chip).join(" ")}` +
        (nonZero.length < entries.length ? ` <span class="muted" title="${esc(entries.filter(([, v]) => v === 0).map(([k]) => k).join(", "))}">+${entries.length - nonZero.length} at 0</span>` : "") +
        `</td></tr>`);
    }
  }
  if (blocks.length === 0) return "";
  return section("clusters", "Envoy cluster counters", `<p class="note">Per source workload and upstream cluster, summed over the workload's proxies, whole run (warm-up included, as Envoy counts). Hover a counter for its meaning.</p>
<div class="scroll"><table class="grid counters"><thead><tr><th>source workload</th><th>cluster</th><th>counters (non-zero)</th></tr></thead><tbody>${blocks.join("")}</tbody></table></div>`);
}

export function eventsSection(s: Summary): string {
  if (s.events.length === 0) return "";
  const items = s.events.slice(0, MAX_EVENTS_SHOWN).map((e) => {
    const d = Object.entries(e.detail).map(([k, v]) => `<span class="muted">${esc(k)}</span> ${esc(v)}`).join(" ");
    return `<tr><td class="num">${esc(e.t)} s</td><td><span class="ev ev-${esc(e.kind)}">${esc(e.kind)}</span></td><td>${d}</td></tr>`;
  });
  const more = s.events.length - MAX_EVENTS_SHOWN + (s.eventsDropped ?? 0);
  return section("events", "Events", `<div class="scroll"><table class="grid events"><thead><tr><th>time</th><th>kind</th><th>detail</th></tr></thead><tbody>${items.join("")}</tbody></table></div>` +
    (more > 0 ? `<p class="note">… and ${esc(int(more))} more.</p>` : ""));
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}"><h2>${esc(title)}</h2>${body}</section>`;
}
