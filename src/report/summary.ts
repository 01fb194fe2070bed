// Builds summary.json's content from the recorder. Deterministic: map keys sorted (codes numerically,
// names lexically), numbers rounded to 3 decimals, nothing from the wall clock.
import type { LatencyHistogram } from "../telemetry/histogram.js";
import type { Recorder } from "../telemetry/recorder.js";
import type { RequestStats } from "../telemetry/request-stats.js";
import type { EdgeSummary, ExpectationResult, LatencySummary, RequestSummary, Summary } from "./summary-types.js";

export const MESHSIM_VERSION = "0.1.0";

export interface SummaryInfo {
  name: string;
  seed: number;
  simulatedSeconds: number;
  expectations: ExpectationResult[];
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function latency(h: LatencyHistogram): LatencySummary {
  return {
    mean: round3(h.mean),
    p50: round3(h.percentile(50)),
    p90: round3(h.percentile(90)),
    p99: round3(h.percentile(99)),
    p999: round3(h.percentile(99.9)),
    max: round3(h.max),
  };
}

function sortedRecord<K extends string | number>(m: Map<K, number>, numeric: boolean): Record<string, number> {
  const keys = [...m.keys()].sort((a, b) => (numeric ? Number(a) - Number(b) : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  const out: Record<string, number> = {};
  for (const k of keys) out[String(k)] = m.get(k)!;
  return out;
}

function requestSummary(s: RequestStats): RequestSummary {
  return { requests: s.requests, codes: sortedRecord(s.codes, true), flags: sortedRecord(s.flags, false), latencyMs: latency(s.latency) };
}

function byName<T>(entries: Iterable<[string, T]>): [string, T][] {
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function buildSummary(rec: Recorder, info: SummaryInfo): Summary {
  const endMs = info.simulatedSeconds * 1000;
  const measuredSeconds = Math.max(0, (endMs - rec.opts.warmupMs) / 1000);
  const clients: Summary["clients"] = {};
  for (const [name, c] of byName(rec.clients)) {
    clients[name] = {
      ...requestSummary(c),
      errorRate: round3(c.requests > 0 ? c.errors / c.requests : 0),
      rps: round3(measuredSeconds > 0 ? c.requests / measuredSeconds : 0),
      meanInflight: round3(c.meanInflight(endMs)),
    };
  }

  // One entry per (source, destination, service): the source reporter's view when there is one.
  const chosen = new Map<string, EdgeSummary>();
  const sorted = [...rec.edges].sort((a, b) => (a.labels.reporter === b.labels.reporter ? 0 : a.labels.reporter === "source" ? -1 : 1));
  const merged = new Map<string, RequestStats[]>();
  for (const e of sorted) {
    if (e.requests === 0) continue;
    const l = e.labels;
    const key = `${l.source}\u0000${l.destination}\u0000${l.service}`;
    const have = chosen.get(key);
    if (have !== undefined && have.reporter !== l.reporter) continue;
    if (have === undefined) {
      chosen.set(key, {
        source: l.source, destination: l.destination, service: l.service, reporter: l.reporter, mtls: l.mtls,
        requests: 0, codes: {}, flags: {}, latencyMs: latency(e.latency), errorRate: 0,
      });
      merged.set(key, []);
    } else if (l.mtls) {
      have.mtls = true;
    }
    merged.get(key)!.push(e);
  }
  const edges: EdgeSummary[] = [];
  for (const [key, e] of chosen) {
    const parts = merged.get(key)!;
    const base = parts.length === 1 ? requestSummary(parts[0]!) : mergeStats(parts);
    const errors = parts.reduce((s, p) => s + p.errors, 0);
    edges.push({ ...e, ...base, errorRate: round3(base.requests > 0 ? errors / base.requests : 0) });
  }
  edges.sort((a, b) => cmp(a.source, b.source) || cmp(a.destination, b.destination) || cmp(a.service, b.service));

  const pods: Summary["pods"] = {};
  for (const [name, p] of byName(rec.pods)) {
    const meanBusy = p.meanBusy(endMs);
    pods[name] = {
      requests: p.requests,
      ejections: p.ejections,
      ...(Number.isFinite(p.concurrency) ? { utilization: round3(meanBusy / p.concurrency) } : {}),
      meanBusy: round3(meanBusy),
    };
  }

  const clusters: Summary["clusters"] = {};
  for (const [workload, byCluster] of byName(rec.clusters)) {
    const out: Record<string, Record<string, number>> = {};
    for (const [name] of byName(byCluster)) out[name] = Object.fromEntries(byName(Object.entries(rec.clusterTotals(workload, name))));
    clusters[workload] = out;
  }

  const conv = rec.mesh.convergence;
  const timeSeries: Summary["timeSeries"] = { windowSeconds: rec.opts.windowMs / 1000, clients: {} };
  for (const [name, c] of byName(rec.clients)) {
    timeSeries.clients[name] = c.windows.points.map((p) => ({
      t: p.t, requests: p.requests, errors: p.errors,
      ...(p.p50 !== undefined ? { p50: round3(p.p50) } : {}),
      ...(p.p99 !== undefined ? { p99: round3(p.p99) } : {}),
    }));
  }

  return {
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
    },
    expectations: info.expectations,
    timeSeries,
    clusters,
    events: rec.events.map((e) => ({ t: round3(e.t / 1000), kind: e.kind, detail: e.detail })),
  };
}

/** Several series of one edge (e.g. with and without mTLS) as one summary. */
function mergeStats(parts: RequestStats[]): RequestSummary {
  const codes = new Map<number, number>();
  const flags = new Map<string, number>();
  const first = parts[0]!;
  let requests = 0;
  // Merge into a copy of the first histogram's data via a fresh histogram.
  const h = new (first.latency.constructor as new () => LatencyHistogram)();
  for (const p of parts) {
    requests += p.requests;
    for (const [k, v] of p.codes) codes.set(k, (codes.get(k) ?? 0) + v);
    for (const [k, v] of p.flags) flags.set(k, (flags.get(k) ?? 0) + v);
    h.merge(p.latency);
  }
  return { requests, codes: sortedRecord(codes, true), flags: sortedRecord(flags, false), latencyMs: latency(h) };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
