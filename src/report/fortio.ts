// fortio-<client>.json: each load generator's result in the JSON shape `fortio load -json` writes
// (periodic.RunnerResults + fhttp.HTTPRunnerResults), so a simulated run opens in Fortio's report UI
// (`fortio report`) beside a measured one. Durations in seconds as Fortio writes them (ActualDuration
// is a Go time.Duration: nanoseconds); histogram buckets at Fortio's default boundaries.
// https://github.com/fortio/fortio#report-only-ui ; fortio.org/fortio/stats HistogramData
import fs from "node:fs";
import path from "node:path";
import type { LoadGenerator, Scenario } from "../scenario/model.js";
import type { ClientStats, Recorder } from "../telemetry/recorder.js";
import { LOG_EPOCH_MS } from "../telemetry/log-epoch.js";
import { fortioCallsPerThread } from "../scenario/fortio-threads.js";

/**
 * Fortio's default histogram bucket ends, in the histogram's unit after its divider: ms for
 * durations (0.001 s resolution), bytes for sizes.
 */
const FORTIO_BUCKETS = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16, 18, 20, 25, 30, 35, 40, 45, 50, 60, 70, 80, 90, 100,
  200, 300, 400, 500, 600, 700, 800, 900, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000,
  20000, 30000, 40000, 50000, 60000, 70000, 80000, 90000, 100000,
];

/** The percentiles `fortio load` reports by default plus p90 and p99.9 (as its UI shows). */
const PERCENTILES = [50, 75, 90, 99, 99.9];

export interface FortioBucket { Start: number; End: number; Percent: number; Count: number }
export interface FortioHistogram {
  Count: number; Min: number; Max: number; Sum: number; Avg: number; StdDev: number;
  Data: FortioBucket[];
  Percentiles: { Percentile: number; Value: number }[] | null;
}

/** A duration as Go's time.Duration prints it (10s, 1m30s, 250ms), as Fortio's RequestedDuration. */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  if (ms < 1000) return `${+ms.toFixed(6)}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = `${+s.toFixed(9)}s`;
  return h > 0 ? `${h}h${m}m${sec}` : m > 0 ? `${m}m${sec}` : sec;
}

/** What Fortio's HistogramData is made from: a latency (ms) or size (bytes) histogram. */
interface Source {
  count: number; min: number; max: number; mean: number; stdDev: number;
  percentile(p: number): number;
  forEachBucket(fn: (value: number, count: number) => void): void;
}

/**
 * Fortio's HistogramData of `h` (ms or bytes) at Fortio's default bounds; `scale` turns the unit
 * into the one Fortio writes (ms → s: 0.001; bytes: 1).
 */
function fortioHistogram(h: Source, scale: number): FortioHistogram {
  const n = h.count;
  const bounds = FORTIO_BUCKETS;
  const counts = new Array<number>(bounds.length + 1).fill(0);
  h.forEachBucket((v, count) => {
    let i = 0;
    while (i < bounds.length && v >= bounds[i]!) i++;
    counts[i]! += count;
  });
  const out = (v: number): number => Math.round(v * scale * 1e6) / 1e6;
  const data: FortioBucket[] = [];
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    cumulative += counts[i]!;
    // Like Fortio, the first bucket starts at the minimum and the last ends at the maximum.
    const start = i === 0 ? 0 : bounds[i - 1]!;
    const end = i < bounds.length ? bounds[i]! : h.max;
    data.push({
      Start: out(Math.max(start, h.min)), End: out(Math.min(end, h.max)),
      Percent: Math.round((1e6 * cumulative) / n) / 1e4, Count: counts[i]!,
    });
  }
  return {
    Count: n, Min: out(h.min), Max: out(h.max), Sum: out(h.mean * n), Avg: out(h.mean), StdDev: out(h.stdDev),
    Data: data,
    Percentiles: n === 0 ? null : PERCENTILES.map((p) => ({ Percentile: p, Value: out(h.percentile(p)) })),
  };
}

/** The client's latency histogram as Fortio's HistogramData (seconds). */
export function fortioDurationHistogram(c: ClientStats): FortioHistogram {
  return fortioHistogram(c.latency, 0.001);
}

/** Response body sizes (Fortio's `Sizes`); all 0 when the scenario gives no responseSize. */
function fortioSizes(c: ClientStats): FortioHistogram {
  if (c.responseSizes !== null) return { ...fortioHistogram(c.responseSizes, 1), Percentiles: null };
  return zeroSizes(c.requests);
}

/** Headers are not modelled: 0 bytes each. */
function zeroSizes(n: number): FortioHistogram {
  return { Count: n, Min: 0, Max: 0, Sum: 0, Avg: 0, StdDev: 0, Data: n === 0 ? [] : [{ Start: 0, End: 0, Percent: 100, Count: n }], Percentiles: null };
}

function urlOf(lg: LoadGenerator): string {
  const t = lg.target;
  const defaultPort = t.scheme === "https" ? 443 : 80;
  return `${t.scheme}://${t.host}${t.port === defaultPort ? "" : `:${t.port}`}${t.path}`;
}

/** Fortio's result ID: the start time as YYYY-MM-DD-HHmmSS, then the labels' alphanumerics. */
function fortioId(startMs: number, labels: string): string {
  const iso = new Date(startMs).toISOString();
  const base = `${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  return `${base}_${labels.replace(/[^a-zA-Z0-9]+/g, "_").replace(/^_|_$/g, "")}`.slice(0, 64);
}

/**
 * @param measuredMs the generator's measured window (its requested duration for an open loop).
 * ActualDuration and ActualQPS are the load's own, as fortio's periodic.go Run measures them
 * (`elapsed := time.Since(start)` around the threads, `actualQPS := count / elapsed`): from the first
 * counted request to the last answer, not the whole simulation. SocketCount is the connections the
 * client dialled (fhttp/httprunner.go sums each client's socketCount), NumThreads the threads run.
 */
export function fortioResult(scenario: Scenario, lg: LoadGenerator, c: ClientStats, measuredMs: number): Record<string, unknown> {
  const name = lg.metadata.name;
  const labels = `${scenario.simulation.metadata.name} ${name} (meshsim)`;
  const closed = lg.closed;
  const loadStartMs = Number.isFinite(c.firstSentMs) ? c.firstSentMs : Math.max(scenario.simulation.warmupMs, lg.startMs);
  const startMs = LOG_EPOCH_MS + loadStartMs;
  const requestedQps = closed ? (closed.qps > 0 ? String(closed.qps) : "max") : String(lg.open?.rate ?? 0);
  const exactly = closed?.requests ?? 0;
  const threads = closed ? fortioCallsPerThread(closed.connections, closed.requests, closed.qps, Math.min(lg.stopMs ?? Infinity, scenario.simulation.durationMs) - lg.startMs).length : Math.max(1, Math.ceil(c.meanInflight()));
  const actualMs = c.activeSpanMs();
  const retCodes: Record<string, number> = {};
  // Fortio counts a request that got no HTTP answer (socket error) under -1.
  for (const [code, n] of [...c.codes()].sort(([a], [b]) => a - b)) retCodes[code === 0 ? "-1" : String(code)] = (retCodes[code === 0 ? "-1" : String(code)] ?? 0) + n;
  return {
    RunType: "HTTP",
    Labels: labels,
    StartTime: new Date(startMs).toISOString(),
    RequestedQPS: requestedQps,
    RequestedDuration: exactly > 0 ? `exactly ${exactly} calls${c.requests !== exactly ? `, interrupted after ${c.requests}` : ""}` : goDuration(measuredMs),
    ActualQPS: actualMs > 0 ? Math.round((c.requests / (actualMs / 1000)) * 1e6) / 1e6 : 0,
    ActualDuration: Math.round(actualMs * 1e6),
    NumThreads: threads,
    Version: "meshsim-0.1.0",
    DurationHistogram: fortioDurationHistogram(c),
    Exactly: exactly,
    Jitter: false,
    Uniform: false,
    NoCatchUp: false,
    RunID: 0,
    AccessLoggerInfo: "",
    ID: fortioId(startMs, labels),
    RetCodes: retCodes,
    IPCountMap: {},
    URL: urlOf(lg),
    NumConnections: threads,
    Sizes: fortioSizes(c),
    HeaderSizes: zeroSizes(c.requests),
    SocketCount: closed ? c.sockets : threads,
    AbortOn: 0,
  };
}

/** One fortio-<client>.json per load generator into `dir`. */
export function writeFortioReports(dir: string, scenario: Scenario, rec: Recorder): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const lg of scenario.loadGenerators) {
    const c = rec.clients.get(lg.metadata.name);
    if (c === undefined) continue;
    const from = Math.max(rec.opts.warmupMs, lg.startMs);
    const to = Math.min(rec.opts.endMs, lg.stopMs ?? Infinity);
    const json = fortioResult(scenario, lg, c, Math.max(0, to - from));
    fs.writeFileSync(path.join(dir, `fortio-${lg.metadata.name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  }
}
