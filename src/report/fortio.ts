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

/** Fortio's default histogram bucket ends, in ms (its values × the 0.001 s resolution). */
const FORTIO_BUCKETS_MS = [
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

const s6 = (ms: number): number => Math.round(ms * 1000) / 1e6;

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

/** The client's latency histogram as Fortio's HistogramData (seconds). */
export function fortioDurationHistogram(c: ClientStats): FortioHistogram {
  const h = c.latency;
  const n = h.count;
  const counts = new Array<number>(FORTIO_BUCKETS_MS.length + 1).fill(0);
  h.forEachBucket((ms, count) => {
    let i = 0;
    while (i < FORTIO_BUCKETS_MS.length && ms >= FORTIO_BUCKETS_MS[i]!) i++;
    counts[i]! += count;
  });
  const data: FortioBucket[] = [];
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    cumulative += counts[i]!;
    // Like Fortio, the first bucket starts at the minimum and the last ends at the maximum.
    const start = i === 0 ? 0 : FORTIO_BUCKETS_MS[i - 1]!;
    const end = i < FORTIO_BUCKETS_MS.length ? FORTIO_BUCKETS_MS[i]! : h.max;
    data.push({
      Start: s6(Math.max(start, h.min)), End: s6(Math.min(end, h.max)),
      Percent: Math.round((1e6 * cumulative) / n) / 1e4, Count: counts[i]!,
    });
  }
  return {
    Count: n, Min: s6(h.min), Max: s6(h.max), Sum: s6(h.mean * n), Avg: s6(h.mean), StdDev: s6(h.stdDev),
    Data: data,
    Percentiles: n === 0 ? null : PERCENTILES.map((p) => ({ Percentile: p, Value: s6(h.percentile(p)) })),
  };
}

/** Sizes are not modelled: every request and answer counts 0 bytes. */
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

export function fortioResult(scenario: Scenario, lg: LoadGenerator, c: ClientStats, measuredMs: number): Record<string, unknown> {
  const name = lg.metadata.name;
  const labels = `${scenario.simulation.metadata.name} ${name} (meshsim)`;
  const startMs = LOG_EPOCH_MS + Math.max(scenario.simulation.warmupMs, lg.startMs);
  const closed = lg.closed;
  const requestedQps = closed ? (closed.qps > 0 ? String(closed.qps) : "max") : String(lg.open?.rate ?? 0);
  const exactly = closed?.requests ?? 0;
  const threads = closed ? closed.connections : Math.max(1, Math.ceil(c.meanInflight()));
  const retCodes: Record<string, number> = {};
  // Fortio counts a request that got no HTTP answer (socket error) under -1.
  for (const [code, n] of [...c.codes()].sort(([a], [b]) => a - b)) retCodes[code === 0 ? "-1" : String(code)] = (retCodes[code === 0 ? "-1" : String(code)] ?? 0) + n;
  return {
    RunType: "HTTP",
    Labels: labels,
    StartTime: new Date(startMs).toISOString(),
    RequestedQPS: requestedQps,
    RequestedDuration: exactly > 0 ? `exactly ${exactly} calls` : goDuration(measuredMs),
    ActualQPS: measuredMs > 0 ? Math.round((c.requests / (measuredMs / 1000)) * 1e6) / 1e6 : 0,
    ActualDuration: Math.round(measuredMs * 1e6),
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
    Sizes: zeroSizes(c.requests),
    HeaderSizes: zeroSizes(c.requests),
    SocketCount: threads,
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
