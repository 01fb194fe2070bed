// `expect` in the Simulation: checks on a client's or an edge's figures, evaluated on the summary.
// An edge subject is every summary edge from the source workload to the destination workload, summed
// over services. A missing subject has 0 requests; figures that do not exist for 0 requests (latency,
// error rate) are null, and a check on null fails.
import type { Comparison, Expectation, ExpectCheck } from "../scenario/model.js";
import type { Recorder } from "../telemetry/recorder.js";
import { selectEdges } from "./edge-selection.js";
import { groupStats, latencySummary, roundActual } from "./summary.js";
import type { ClientSummary, ExpectationResult, LatencySummary, RequestSummary, Summary } from "./summary-types.js";
import { RequestStats } from "../telemetry/request-stats.js";

const LATENCY_KEYS = new Set<string>(["mean", "p50", "p90", "p99", "p999", "max"]);

/**
 * The figures of an edge subject. Counts add up exactly. Latency: with the recorder, from the merged
 * histograms (exact); from the summary alone, mean is the request-weighted mean and max the max
 * (both exact), and each percentile the largest over the services — an upper bound of the pooled
 * percentile, so a "<" check never passes wrongly.
 */
function edgeFigures(s: Summary, source: string, destination: string, rec: Recorder | undefined): RequestSummary | null {
  const es = s.edges.filter((e) => e.source === source && e.destination === destination);
  if (es.length === 0) return null;
  if (es.length === 1) return es[0]!;
  const codes: Record<string, number> = {};
  const flags: Record<string, number> = {};
  let requests = 0;
  for (const e of es) {
    requests += e.requests;
    for (const [k, v] of Object.entries(e.codes)) codes[k] = (codes[k] ?? 0) + v;
    for (const [k, v] of Object.entries(e.flags)) flags[k] = (flags[k] ?? 0) + v;
  }
  let latencyMs: LatencySummary;
  if (rec !== undefined) {
    const pooled = new RequestStats(Number.NEGATIVE_INFINITY);
    for (const g of selectEdges(rec)) if (g.source === source && g.destination === destination) pooled.merge(groupStats(g));
    latencyMs = latencySummary(pooled.latency);
  } else {
    let sum = 0;
    for (const e of es) sum += e.latencyMs.mean * e.requests;
    const top = (k: keyof LatencySummary): number => Math.max(...es.map((e) => e.latencyMs[k]));
    latencyMs = { mean: requests > 0 ? sum / requests : 0, p50: top("p50"), p90: top("p90"), p99: top("p99"), p999: top("p999"), max: top("max") };
  }
  return { requests, codes, flags, latencyMs };
}

/** Errors as Istio's dashboards count them: no HTTP status (0) or a 5xx. */
function errorsOf(codes: Record<string, number>): number {
  let n = 0;
  for (const [k, v] of Object.entries(codes)) if (Number(k) === 0 || Number(k) >= 500) n += v;
  return n;
}

/** `codes.503` exactly; `codes.5xx` a class of codes. */
function codeCount(codes: Record<string, number>, key: string): number {
  const cls = /^([1-5])xx$/i.exec(key);
  if (cls === null) return codes[key] ?? 0;
  const lo = Number(cls[1]) * 100;
  let n = 0;
  for (const [k, v] of Object.entries(codes)) if (Number(k) >= lo && Number(k) < lo + 100) n += v;
  return n;
}

/**
 * `flags.UO` counts every request whose flags include UO (also "URX,UO"); a combination such as
 * `flags.URX,UF` (or `flags.-`) matches requests with exactly those flags, in any order: Envoy prints
 * them in the order they were set ("URX,UF"), older Envoy in a fixed one ("UF,URX").
 */
function flagCount(flags: Record<string, number>, key: string): number {
  if (key === "-") return flags[key] ?? 0;
  if (key.includes(",")) {
    const want = key.split(",").sort().join(",");
    let n = 0;
    for (const [k, v] of Object.entries(flags)) if (k.split(",").sort().join(",") === want) n += v;
    return n;
  }
  let n = 0;
  for (const [k, v] of Object.entries(flags)) if (k === key || k.split(",").includes(key)) n += v;
  return n;
}

function actualOf(metric: string, req: RequestSummary | null, measuredSeconds: number): number | null {
  const requests = req?.requests ?? 0;
  if (metric === "requests") return requests;
  if (metric === "rps") return measuredSeconds > 0 ? requests / measuredSeconds : null;
  if (metric === "errorRate") return req !== null && requests > 0 ? errorsOf(req.codes) / requests : null;
  if (metric.startsWith("codes.")) return req === null ? 0 : codeCount(req.codes, metric.slice(6));
  if (metric.startsWith("flags.")) return req === null ? 0 : flagCount(req.flags, metric.slice(6));
  if (metric === "meanUpper" || metric === "p99Upper" || metric === "errorRateUpper") return upperOf(metric, req as ClientSummary | null);
  if (LATENCY_KEYS.has(metric)) return req !== null && requests > 0 ? req.latencyMs[metric as keyof LatencySummary] : null;
  return null;
}

/** The upper end of a client's 95 % interval from the run (ci95); null when the run gives none. */
function upperOf(metric: "meanUpper" | "p99Upper" | "errorRateUpper", c: ClientSummary | null): number | null {
  const ci = c?.ci95;
  if (c === null || ci === undefined || c.requests === 0) return null;
  if (metric === "meanUpper") return ci.mean === null ? null : c.latencyMs.mean + ci.mean;
  if (metric === "p99Upper") return ci.p99 === null ? null : c.latencyMs.p99 + ci.p99;
  return ci.errorRate === null ? null : c.errorRate + ci.errorRate;
}

/** What a report says for an expectation without an actual value (its text is "who metric OP VALUE"). */
export function noActual(text: string): string {
  return /\s(meanUpper|p99Upper|errorRateUpper)\s/.test(text) ? "none (no confidence interval: see the client's ci95.why)" : "none (no requests)";
}

/** `==` and `!=` allow a relative 1e-9 for floating-point noise. */
export function compare(actual: number, op: Comparison, value: number): boolean {
  const eq = Math.abs(actual - value) <= 1e-9 * Math.max(1, Math.abs(value));
  switch (op) {
    case "<": return actual < value;
    case "<=": return actual <= value || eq;
    case ">": return actual > value;
    case ">=": return actual >= value || eq;
    case "==": return eq;
    case "!=": return !eq;
  }
}

function checkText(who: string, c: ExpectCheck): string {
  return `${who} ${c.metric} ${c.text}`;
}

/**
 * One result per check, in order: text like "users p99 < 300ms" or "reviews-v2 -> ratings-v1
 * requests > 0", ok, and the actual value (6 decimals; null when it does not exist).
 * Pass the recorder for exact latency percentiles of edge subjects spanning several services.
 */
export function evaluateExpectations(expectations: readonly Expectation[], s: Summary, rec?: Recorder): ExpectationResult[] {
  const out: ExpectationResult[] = [];
  for (const e of expectations) {
    const subject = e.subject;
    if (subject.kind === "mesh") {
      for (const check of e.checks) {
        const actual = meshActual(check.metric, s);
        out.push({ text: checkText("mesh", { ...check, metric: check.metric.slice("mesh.".length) }), ok: compare(actual, check.op, check.value), actual: roundActual(actual) });
      }
      continue;
    }
    if (subject.kind === "autoscaler") {
      for (const check of e.checks) {
        const actual = autoscalerActual(check.metric, s, subject.name);
        out.push({ text: checkText(subject.name, { ...check, metric: check.metric.slice("autoscaler.".length) }), ok: actual !== null && compare(actual, check.op, check.value), actual: actual === null ? null : roundActual(actual) });
      }
      continue;
    }
    const req = subject.kind === "client" ? s.clients[subject.name] ?? null : edgeFigures(s, subject.source, subject.destination, rec);
    const who = subject.kind === "client" ? subject.name : `${subject.source} -> ${subject.destination}`;
    for (const check of e.checks) {
      const actual = actualOf(check.metric, req, s.measuredSeconds);
      out.push({ text: checkText(who, check), ok: actual !== null && compare(actual, check.op, check.value), actual: actual === null ? null : roundActual(actual) });
    }
  }
  return out;
}

/** An HPA's figure (summary.json's `autoscalers`; times in ms); null when it does not exist (no such event). */
function autoscalerActual(metric: string, s: Summary, name: string): number | null {
  const a = s.autoscalers?.[name] ?? Object.entries(s.autoscalers ?? {}).find(([k]) => k.startsWith(`${name}.`))?.[1];
  if (a === undefined) return null;
  const ups = a.decisions.filter((d) => d.to > d.from);
  const downs = a.decisions.filter((d) => d.to < d.from);
  switch (metric) {
    case "autoscaler.peakReplicas": return a.peakReplicas;
    case "autoscaler.currentReplicas": return a.currentReplicas;
    case "autoscaler.desiredReplicas": return a.desiredReplicas;
    case "autoscaler.readyReplicas": return a.replicas.length > 0 ? a.replicas[a.replicas.length - 1]!.ready : null;
    case "autoscaler.scaleUps": return ups.length;
    case "autoscaler.scaleDowns": return downs.length;
    case "autoscaler.scalingActive": return a.conditions.some((c) => c.type === "ScalingActive" && c.status === "True") ? 1 : 0;
    case "autoscaler.warnings": return a.events.filter((e) => e.type === "Warning").reduce((n, e) => n + e.count, 0);
    case "autoscaler.firstScaleUpAt": return ups.length > 0 ? ups[0]!.t * 1000 : null;
    case "autoscaler.lastScaleDownAt": return downs.length > 0 ? downs[downs.length - 1]!.t * 1000 : null;
    case "autoscaler.firstScaleUpReady": return a.firstScaleUpReadySeconds === null ? null : a.firstScaleUpReadySeconds * 1000;
    default: return null;
  }
}

/** A control-plane figure of summary.json's `mesh` (convergence in ms). */
function meshActual(metric: string, s: Summary): number {
  const m = s.mesh;
  switch (metric) {
    case "mesh.convergenceP50": return m.convergenceMs.p50;
    case "mesh.convergenceMax": return m.convergenceMs.max;
    case "mesh.xdsPushes": return m.xdsPushes;
    case "mesh.xdsRejects": return m.xdsRejects.cds + m.xdsRejects.eds + m.xdsRejects.lds + m.xdsRejects.rds;
    case "mesh.staleProxiesMax": return m.staleProxiesMax;
    case "mesh.crossZoneRequests": return s.locality?.crossZone.requests ?? 0;
    case "mesh.crossZoneShare": return s.locality?.crossZone.share ?? 0;
    case "mesh.crossZoneCostPerMonth": return s.locality?.crossZone.cost.perMonth ?? 0;
    case "mesh.proxyCpuSeconds": return m.proxyCpuSeconds;
    case "mesh.proxyCores": return m.cost?.proxyCores ?? 0;
    case "mesh.proxyCoresPer1000Rps": return m.cost?.coresPer1000Rps ?? 0;
    case "mesh.proxyMemoryMB": return m.cost?.proxyMemoryMB ?? 0;
    case "mesh.costPerMonth": return m.cost?.perMonth.total ?? 0;
    default: return m.certificatesIssued;
  }
}
