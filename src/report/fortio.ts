// fortio-<client>.json: each load generator's result in the JSON shape `fortio load -json` writes
// (periodic.RunnerResults + fhttp.HTTPRunnerResults), so a simulated run opens in Fortio's report UI
// (`fortio report`) beside a measured one. Durations in seconds as Fortio writes them (ActualDuration
// is a Go time.Duration: nanoseconds); histogram buckets at Fortio's default boundaries.
// https://github.com/fortio/fortio#report-only-ui ; fortio.org/fortio/stats HistogramData
import fs from "node:fs";
import path from "node:path";
import type { LoadGenerator, Scenario } from "../scenario/model.js";
import type { Recorder } from "../telemetry/recorder.js";
import type { ClientStats } from "../telemetry/client-stats.js";
import type { LatencyHistogram } from "../telemetry/histogram.js";
import { LOG_EPOCH_MS } from "../telemetry/log-epoch.js";
import { fortioCallsPerThread } from "../scenario/fortio-threads.js";
import { FortioHistogram, type FortioHistogramData } from "./fortio-histogram.js";

/** `fortio load`'s default `-p` (cli/fortio_main.go percentilesFlag). */
const PERCENTILES = [50, 75, 90, 99, 99.9];

/** periodic.DefaultRunnerOptions.Resolution: durations binned by the ms. */
const RESOLUTION_S = 0.001;

/** fhttp.HTTPReqTimeOutDefaultValue (3 s) in ns: an open loop's HTTPReqTimeOut (it has no timeout). */
const HTTP_REQ_TIMEOUT_NS = 3e9;

/**
 * A duration as Go's time.Duration.String prints it (RequestedDuration): "1h2m3.5s", "1m30s", "250ms",
 * "1.5µs"; whole ns, the fraction's trailing zeros dropped.
 */
export function goDuration(ms: number): string {
  let ns = Math.round(ms * 1e6);
  if (ns === 0) return "0s";
  const sign = ns < 0 ? "-" : "";
  ns = Math.abs(ns);
  const frac = (v: number, digits: number): string => {
    const whole = Math.floor(v / 10 ** digits);
    const rest = String(v - whole * 10 ** digits).padStart(digits, "0").replace(/0+$/, "");
    return rest === "" ? String(whole) : `${whole}.${rest}`;
  };
  if (ns < 1e3) return `${sign}${ns}ns`;
  if (ns < 1e6) return `${sign}${frac(ns, 3)}\u00b5s`;
  if (ns < 1e9) return `${sign}${frac(ns, 6)}ms`;
  const totalS = Math.floor(ns / 1e9);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS - h * 3600) / 60);
  const sec = `${frac(ns - (h * 3600 + m * 60) * 1e9, 9)}s`;
  return sign + (h > 0 ? `${h}h${m}m${sec}` : m > 0 ? `${m}m${sec}` : sec);
}

/** Go's `%.9g` of a float (periodic.go runQPSSetup's RequestedQPS). */
export function goG9(v: number): string {
  if (v === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 9) {
    const [mant, e] = v.toExponential(8).split("e") as [string, string];
    const m = mant.includes(".") ? mant.replace(/0+$/, "").replace(/\.$/, "") : mant;
    const n = Number(e);
    return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  return String(Number(v.toPrecision(9)));
}

/**
 * A time as Go's time.Time marshals to JSON (RFC 3339 with up to 9 fractional digits, trailing zeros
 * dropped), in UTC, for a simulated time in ms.
 */
export function goTime(simMs: number): string {
  const wholeMs = Math.floor(simMs);
  let subNs = Math.round((simMs - wholeMs) * 1e6);
  let ms = wholeMs;
  if (subNs >= 1e6) { ms++; subNs -= 1e6; }
  const second = Math.floor(ms / 1000);
  const ns = (ms - second * 1000) * 1e6 + subNs;
  const base = new Date(LOG_EPOCH_MS + second * 1000).toISOString().slice(0, 19);
  const fraction = ns === 0 ? "" : `.${String(ns).padStart(9, "0").replace(/0+$/, "")}`;
  return `${base}${fraction}Z`;
}

/** fortio's HistogramData of latencies in ms (HDR buckets, exact moments; `sumSqUs` in µs²), in s. */
function durationData(h: LatencyHistogram, sumSqUs: number, percentiles: readonly number[]): FortioHistogramData {
  const n = h.count;
  // The histogram's values are whole µs: seconds as us / 1e6 (ms / 1000 would add rounding noise).
  const seconds = (ms: number) => Math.round(ms * 1000) / 1e6;
  const hist = new FortioHistogram(0, RESOLUTION_S, {
    count: n, min: seconds(h.min), max: seconds(h.max), sum: seconds(h.mean * n), sumOfSquares: sumSqUs / 1e12,
  });
  // One value throughout (a fixed latency): exact, where an HDR bucket's median could cross an end.
  if (h.min === h.max) hist.bin(seconds(h.min), n);
  else h.forEachBucket((ms, count) => hist.bin(seconds(ms), count));
  return hist.export(percentiles);
}

/** The client's latency histogram as Fortio's DurationHistogram (seconds). */
export function fortioDurationHistogram(c: ClientStats): FortioHistogramData {
  return durationData(c.latency, c.latencySumSqUs, PERCENTILES);
}

/**
 * Fortio's `Sizes` (fhttp/httprunner.go: `stats.NewHistogram(0, 100)`, no percentiles): the bytes of
 * each answer, from its body sizes (headers are not modelled); all 0 when the scenario gives no
 * responseSize.
 */
function fortioSizes(c: ClientStats): FortioHistogramData {
  const s = c.responseSizes;
  if (s === null) return zeroSizes(c.requests, 100);
  const hist = new FortioHistogram(0, 100, { count: s.count, min: s.min, max: s.max, sum: s.total, sumOfSquares: s.sumOfSquares });
  // One size throughout (a fixed responseSize): exact, where an HDR bucket's median could cross an end.
  if (s.min === s.max) hist.bin(s.min, s.count);
  else s.forEachBucket((bytes, count) => hist.bin(bytes, count));
  return hist.export();
}

/** `n` answers of 0 bytes in a size histogram of divider `divider` (HeaderSizes: not modelled). */
function zeroSizes(n: number, divider: number): FortioHistogramData {
  const hist = new FortioHistogram(0, divider, { count: n, min: 0, max: 0, sum: 0, sumOfSquares: 0 });
  if (n > 0) hist.bin(0, n);
  return hist.export();
}

function urlOf(lg: LoadGenerator): string {
  const t = lg.target;
  const defaultPort = t.scheme === "https" ? 443 : 80;
  return `${t.scheme}://${t.host}${t.port === defaultPort ? "" : `:${t.port}`}${t.path}`;
}

/**
 * periodic.go `GenID`: the start as YYYY-MM-DD-HHmmSS, "_", then the labels with each run of other
 * characters than ASCII letters and digits as one "_" (none leading or trailing), at most 96 bytes.
 */
export function fortioId(startMs: number, labels: string): string {
  const iso = new Date(startMs).toISOString();
  const base = `${iso.slice(0, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  if (labels === "") return base;
  const alnum = labels.replace(/[^a-zA-Z0-9]+/g, "_").replace(/^_/, "").replace(/_$/, "");
  return `${base}_${alnum}`.slice(0, 96);
}

/** A Go ActualDuration (ns) as time.Duration.Seconds computes it. */
function goSeconds(ns: number): number {
  const sec = Math.trunc(ns / 1e9);
  return sec + (ns - sec * 1e9) / 1e9;
}

/**
 * @param measuredMs the generator's measured window (its requested duration for an open loop).
 * ActualDuration and ActualQPS are the load's own, as fortio's periodic.go Run measures them
 * (`elapsed := time.Since(start)` around the threads, `actualQPS := count / elapsed`): from the first
 * counted request to the last answer, not the whole simulation. SocketCount is the connections the
 * client dialled (fhttp/httprunner.go sums each client's socketCount), NumThreads the threads run.
 * The fields and their order are encoding/json's of fhttp.HTTPRunnerResults (RunnerResults, then
 * RetCodes, IPCountMap, the HTTPOptions of a plain `fortio load`, Sizes, HeaderSizes, Sockets,
 * SocketCount, ConnectionStats, AbortOn).
 */
export function fortioResult(scenario: Scenario, lg: LoadGenerator, c: ClientStats, measuredMs: number): Record<string, unknown> {
  const name = lg.metadata.name;
  const labels = `${scenario.simulation.metadata.name} ${name} (meshsim)`;
  const closed = lg.closed;
  const loadStartMs = Number.isFinite(c.firstSentMs) ? c.firstSentMs : Math.max(scenario.simulation.warmupMs, lg.startMs);
  const startMs = LOG_EPOCH_MS + loadStartMs;
  const requestedQps = closed ? (closed.qps > 0 ? goG9(closed.qps) : "max") : goG9(lg.open?.rate ?? 0);
  const exactly = closed?.requests ?? 0;
  const threads = closed ? fortioCallsPerThread(closed.connections, closed.requests, closed.qps, Math.min(lg.stopMs ?? Infinity, scenario.simulation.durationMs) - lg.startMs).length : Math.max(1, Math.ceil(c.meanInflight()));
  const actualNs = Math.round(c.activeSpanMs() * 1e6);
  const retCodes: Record<string, number> = {};
  // Fortio counts a request that got no HTTP answer (socket error) under -1.
  for (const [code, n] of [...c.codes()].sort(([a], [b]) => a - b)) retCodes[code === 0 ? "-1" : String(code)] = (retCodes[code === 0 ? "-1" : String(code)] ?? 0) + n;
  // httprunner.go: each thread's socket count, in thread order (an open loop: one per thread).
  const sockets = closed ? Array.from({ length: threads }, (_, t) => c.socketsByThread[t] ?? 0) : new Array<number>(threads).fill(1);
  return {
    RunType: "HTTP",
    Labels: labels,
    StartTime: goTime(loadStartMs),
    RequestedQPS: requestedQps,
    RequestedDuration: exactly > 0 ? `exactly ${exactly} calls${c.requests !== exactly ? `, interrupted after ${c.requests}` : ""}` : goDuration(measuredMs),
    ActualQPS: actualNs > 0 ? c.requests / goSeconds(actualNs) : 0,
    ActualDuration: actualNs,
    NumThreads: threads,
    Version: "meshsim-0.1.0",
    DurationHistogram: fortioDurationHistogram(c),
    ErrorsDurationHistogram: durationData(c.errorLatency, c.errorSumSqUs, PERCENTILES),
    Exactly: exactly,
    Jitter: false,
    Uniform: false,
    NoCatchUp: false,
    RunID: 0,
    AccessLoggerInfo: "",
    ID: fortioId(startMs, labels),
    RetCodes: retCodes,
    IPCountMap: {},
    Insecure: false,
    MTLS: false,
    CACert: "",
    Cert: "",
    Key: "",
    UnixDomainSocket: "",
    URL: urlOf(lg),
    // HTTPOptions.Init sets 1 (the standard client's idle connections), whatever -c is.
    NumConnections: 1,
    Compression: false,
    DisableFastClient: false,
    HTTP10: false,
    H2: false,
    DisableKeepAlive: false,
    AllowHalfClose: false,
    FollowRedirects: false,
    Resolve: "",
    HTTPReqTimeOut: closed ? Math.round(closed.timeoutMs * 1e6) : HTTP_REQ_TIMEOUT_NS,
    UserCredentials: "",
    ContentType: "",
    // fortio sends GET, or POST with a payload (-payload-size for a requestSize, whose random bytes
    // meshsim does not have: Payload is left out then); any other method is -X, MethodOverride.
    ...((lg.requestSize ?? 0) > 0 ? {} : { Payload: null }),
    MethodOverride: lg.method === "GET" || (lg.method === "POST" && (lg.requestSize ?? 0) > 0) ? "" : lg.method,
    LogErrors: false,
    SequentialWarmup: false,
    ConnReuseRange: [0, 0],
    NoResolveEachConn: false,
    Offset: 0,
    Resolution: RESOLUTION_S,
    Sizes: fortioSizes(c),
    HeaderSizes: zeroSizes(c.requests, 5),
    Sockets: sockets,
    SocketCount: closed ? c.sockets : threads,
    ConnectionStats: durationData(c.dialMs, c.dialSumSqUs, PERCENTILES),
    AbortOn: 0,
  };
}

/**
 * The JSON text fortio writes: json.MarshalIndent(res, "", "  ") and a newline; encoding/json escapes
 * <, > and & (HTML-safe) and U+2028/U+2029.
 */
export function fortioJsonText(result: Record<string, unknown>): string {
  const text = JSON.stringify(result, null, 2).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `${text}\n`;
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
    fs.writeFileSync(path.join(dir, `fortio-${lg.metadata.name}.json`), fortioJsonText(json));
  }
}
