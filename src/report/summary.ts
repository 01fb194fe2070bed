// Builds summary.json's content from the recorder. Deterministic: map keys sorted (codes numerically,
// names by code unit, never by locale), numbers rounded to 3 decimals, nothing from the wall clock.
// The file is `summaryJson(summary)`.
import type { LatencyHistogram } from "../telemetry/histogram.js";
import type { Recorder } from "../telemetry/recorder.js";
import { RequestStats } from "../telemetry/request-stats.js";
import type { WindowPoint } from "../telemetry/window-series.js";
import { batchMeansCi, type BatchWindow } from "./batch-means.js";
import { compareText, selectEdges, type EdgeGroup } from "./edge-selection.js";
import type {
  ClientSummary, EdgeSummary, EdgeTimeSeries, ExpectationResult, LatencySummary, PodSummary, RequestSummary, Summary, TimePoint, RouteSummary, GatewaySummary,
} from "./summary-types.js";

export const MESHSIM_VERSION = "0.1.0";

export interface SummaryInfo {
  name: string;
  seed: number;
  simulatedSeconds: number;
  expectations: ExpectationResult[];
  /** Each load generator's source_workload in the edges (ClientSummary.sourceWorkload). */
  clientSources?: Readonly<Record<string, string>>;
  /** Gateway API routes' status at the end of the run (omitted when there are none). */
  routes?: RouteSummary[];
  /** Gateways of an Istio ingress class and their status at the end of the run (omitted when there are none). */
  gateways?: GatewaySummary[];
}

/** Rounded to 3 decimals (µs for ms figures); -0 and non-finite values become 0. */
export function round3(x: number): number {
  const r = Math.round(x * 1000) / 1000;
  return Number.isFinite(r) && r !== 0 ? r : 0;
}

export function latencySummary(h: LatencyHistogram): LatencySummary {
  return {
    mean: round3(h.mean),
    p50: round3(h.percentile(50)),
    p90: round3(h.percentile(90)),
    p99: round3(h.percentile(99)),
    p999: round3(h.percentile(99.9)),
    max: round3(h.max),
  };
}

function sortedCodes(m: Map<number, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort((a, b) => a - b)) out[String(k)] = m.get(k)!;
  return out;
}

function sortedByName<T>(m: Map<string, T>): [string, T][] {
  return [...m].sort(([a], [b]) => compareText(a, b));
}

function sortedRecord(m: Map<string, number> | Record<string, number>): Record<string, number> {
  const entries = m instanceof Map ? [...m] : Object.entries(m);
  const out: Record<string, number> = {};
  for (const [k, v] of entries.sort(([a], [b]) => compareText(a, b))) out[k] = round3(v);
  return out;
}

export function requestSummary(s: RequestStats): RequestSummary {
  return { requests: s.requests, codes: sortedCodes(s.codes()), flags: sortedRecord(s.flags()), latencyMs: latencySummary(s.latency) };
}

/** The chosen series of an edge group as one (a fresh merge when there are several). */
export function groupStats(g: EdgeGroup): RequestStats {
  if (g.parts.length === 1) return g.parts[0]!;
  const merged = new RequestStats(Number.NEGATIVE_INFINITY);
  for (const p of g.parts) merged.merge(p);
  return merged;
}

/**
 * A window as summary.json keeps it. The last window may be cut short by the run's end: it then
 * carries its actual length in `seconds`, so rates are divided by the time it covered, not by the
 * full window (a 4 s run in 10 s windows showed 37 requests/s for 93).
 */
function timePoint(p: WindowPoint, windowMs: number, endMs: number): TimePoint {
  const out: TimePoint = { t: round3(p.t), requests: p.requests, errors: p.errors };
  const spanMs = Math.min(windowMs, endMs - p.t * 1000);
  if (spanMs < windowMs - 1e-6 && spanMs > 0) out.seconds = round3(spanMs / 1000);
  if (p.p50 !== undefined) out.p50 = p.p50 === null ? null : round3(p.p50);
  if (p.p99 !== undefined) out.p99 = p.p99 === null ? null : round3(p.p99);
  return out;
}

function edgeTimeSeries(g: EdgeGroup, toPoint: (p: WindowPoint) => TimePoint): EdgeTimeSeries {
  const points = g.parts[0]!.windows.points().map(toPoint);
  for (let k = 1; k < g.parts.length; k++) {
    const w = g.parts[k]!.windows;
    for (let i = 0; i < points.length; i++) {
      points[i]!.requests += w.requestsAt(i);
      points[i]!.errors += w.errorsAt(i);
    }
  }
  return { source: g.source, destination: g.destination, service: g.service, points };
}

/** A client's report windows as batch means read them (its series keeps latency sums and p99s). */
function batchWindows(c: RequestStats): BatchWindow[] {
  const w = c.windows!;
  const out: BatchWindow[] = [];
  for (let i = 0; i < w.length; i++) {
    out.push({ requests: w.requestsAt(i), errors: w.errorsAt(i), latencySumMs: w.latencySumMsAt(i) ?? 0, p99: w.p99At(i) });
  }
  return out;
}

export function buildSummary(rec: Recorder, info: SummaryInfo): Summary {
  rec.finish();
  const measuredSeconds = Math.max(0, (rec.opts.endMs - rec.opts.warmupMs) / 1000);
  const toPoint = (p: WindowPoint): TimePoint => timePoint(p, rec.opts.windowMs, rec.opts.endMs);

  const clients: Record<string, ClientSummary> = {};
  const clientSeries: Record<string, TimePoint[]> = {};
  for (const [name, c] of sortedByName(rec.clients)) {
    clients[name] = {
      ...requestSummary(c),
      errorRate: round3(c.errorRate),
      rps: round3(measuredSeconds > 0 ? c.requests / measuredSeconds : 0),
      meanInflight: round3(c.meanInflight()),
    };
    const source = info.clientSources?.[name];
    if (source !== undefined) clients[name]!.sourceWorkload = source;
    clients[name]!.ci95 = batchMeansCi(batchWindows(c), c.latency.percentile(99));
    clientSeries[name] = c.windows.points().map(toPoint);
  }

  const edges: EdgeSummary[] = [];
  const edgeSeries: EdgeTimeSeries[] = [];
  for (const g of selectEdges(rec)) {
    const s = groupStats(g);
    const base = requestSummary(s);
    edges.push({
      source: g.source, destination: g.destination, service: g.service,
      requests: base.requests, codes: base.codes, flags: base.flags, latencyMs: base.latencyMs,
      mtls: g.parts.some((p) => p.labels.mtls),
      reporter: g.reporter,
      errorRate: round3(s.errorRate),
    });
    edgeSeries.push(edgeTimeSeries(g, toPoint));
  }

  const pods: Record<string, PodSummary> = {};
  for (const [name, p] of sortedByName(rec.pods)) {
    const u = p.utilization();
    pods[name] = { requests: p.requests, ejections: p.ejections, utilization: u === null ? null : round3(u), meanBusy: round3(p.meanBusy()) };
  }

  const clusters: Summary["clusters"] = {};
  for (const [workload, byCluster] of sortedByName(rec.clusters)) {
    const out: Record<string, Record<string, number>> = {};
    for (const [name] of sortedByName(byCluster)) out[name] = sortedRecord(rec.clusterTotals(workload, name));
    clusters[workload] = out;
  }

  const conv = rec.mesh.convergence;
  const summary: Summary = {
    meshsim: MESHSIM_VERSION,
    scenario: info.name,
    seed: info.seed,
    simulatedSeconds: round3(info.simulatedSeconds),
    measuredSeconds: round3(measuredSeconds),
    clients,
    edges,
    pods,
    mesh: {
      proxies: rec.mesh.proxies,
      proxyCpuSeconds: round3(rec.mesh.proxyCpuMs / 1000),
      xdsPushes: rec.mesh.xdsPushes,
      convergenceMs: { p50: round3(conv.percentile(50)), max: round3(conv.max) },
      xdsPushesByType: { ...rec.mesh.pushesByType },
      xdsRejects: { ...rec.mesh.rejectsByType },
      staleProxiesMax: rec.staleProxies.peak,
      certificatesIssued: rec.mesh.certificatesIssued,
      changes: rec.changes.map((c) => ({
        t: round3(c.t / 1000), kind: c.kind, what: c.what,
        convergenceMs: c.convergenceMs === null ? null : round3(c.convergenceMs),
        proxiesPushed: c.counts.proxies, rejected: c.counts.rejected,
      })),
    },
    expectations: expectationEntries(info.expectations),
    timeSeries: {
      windowSeconds: round3(rec.opts.windowMs / 1000), clients: clientSeries, edges: edgeSeries,
      staleProxies: rec.staleProxies.points().map((p) => ({ t: round3(p.t), max: p.max, mean: p.mean })),
    },
    clusters,
    events: rec.events.map((e) => ({ t: round3(e.t / 1000), kind: e.kind, detail: sortedDetail(e.detail) })),
  };
  if (info.routes !== undefined && info.routes.length > 0) summary.routes = info.routes;
  if (info.gateways !== undefined && info.gateways.length > 0) summary.gateways = info.gateways;
  if (rec.droppedEvents > 0) summary.eventsDropped = rec.droppedEvents;
  if (rec.droppedChanges > 0) summary.mesh.changesDropped = rec.droppedChanges;
  return summary;
}

/** The expectations as summary.json lists them (actuals rounded by roundActual). */
export function expectationEntries(results: readonly ExpectationResult[]): Summary["expectations"] {
  return results.map((e) => ({ text: e.text, ok: e.ok, actual: e.actual === null ? null : roundActual(e.actual) }));
}

/** Expectation actuals keep 6 decimals: a rate of 0.0004 must not print as 0 next to "< 0.0001". */
export function roundActual(x: number): number {
  const r = Math.round(x * 1e6) / 1e6;
  return Number.isFinite(r) && r !== 0 ? r : 0;
}

function sortedDetail(d: Record<string, string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const k of Object.keys(d).sort(compareText)) {
    const v = d[k]!;
    out[k] = typeof v === "number" ? round3(v) : v;
  }
  return out;
}

/** The summary.json file's text. */
export function summaryJson(s: Summary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
