// Confidence intervals from ONE run, by the method of batch means (Law & Kelton, "Simulation Modeling
// and Analysis", 5th ed., §9.5.3): the measured period (after `warmup`) is cut into k consecutive
// batches of whole report windows, and the batches' figures are treated as nearly independent
// observations — true once a batch is much longer than the system's memory (the requests inside one
// batch are correlated; the batches, far less). k is 10 to 30 (Schmeiser 1982, "Batch size effects in
// the analysis of simulation output", Operations Research 30(3): beyond 30 batches the t-quantile gains
// little, below 10 it costs much). The correlation that is left is checked: when the lag-1
// autocorrelation of the batch figures is significant, the batches are made twice as long (half as
// many), down to 10 batches; if it is still significant there, the run is too short to say, and the
// half-width is null rather than an interval that would cover far less than 95 %.
//
// Batches are whole windows of simulated time, so they hold different numbers of requests: the mean is
// a ratio (latency sum / requests), and its interval is the ratio estimator's (Law & Kelton §9.5.3
// "ratio estimator"; the delta method): residuals d_j = S_j − R·N_j, half-width
// t(0.975, k−1) · sqrt(Σd_j² / (k−1) / k) / N̄ — with equal batch counts, exactly the classic
// batch-means formula. Its centre R is the run's own mean, so the interval sits on the figure reported.
// The p99 interval is by sectioning (Asmussen & Glynn, "Stochastic Simulation", 2007, §III.5a): the
// batches' own p99s about the run's p99 — given only when each batch is one report window, the only
// batch whose p99 the windows hold (a p99 of several windows cannot be rebuilt from their p99s).
// Deterministic arithmetic on recorded counts: no random draw.
import type { ClientCi95 } from "./summary-types.js";
import { tQuantile95 } from "./sweep-summary.js";

/** What a report window recorded for one client. */
export interface BatchWindow {
  readonly requests: number;
  readonly errors: number;
  /** Sum of the window's latencies, ms. */
  readonly latencySumMs: number;
  /** The window's p99 (ms), null when it has none. */
  readonly p99: number | null;
}

export const MIN_BATCHES = 10;
export const MAX_BATCHES = 30;
/** One-sided 95 % normal quantile: under independence the lag-1 estimate is about N(−1/k, 1/k). */
const Z95_ONE_SIDED = 1.645;

/** Windows [start, end) of batch j when L windows are cut into k batches (sizes differ by ≤ 1). */
export function batchBounds(windows: number, k: number): [number, number][] {
  const out: [number, number][] = [];
  for (let j = 0; j < k; j++) out.push([Math.floor((j * windows) / k), Math.floor(((j + 1) * windows) / k)]);
  return out;
}

/** Lag-1 autocorrelation of a series whose mean is 0 (ratio residuals); 0 for a constant series. */
export function lag1(d: readonly number[]): number {
  let num = 0, den = 0;
  for (let j = 0; j < d.length; j++) {
    den += d[j]! * d[j]!;
    if (j + 1 < d.length) num += d[j]! * d[j + 1]!;
  }
  return den === 0 ? 0 : num / den;
}

/** True when a lag-1 estimate from k batches says the batches are correlated (one-sided 5 % test). */
export function correlated(r: number, k: number): boolean {
  return r > Z95_ONE_SIDED / Math.sqrt(k);
}

interface Ratio { readonly estimate: number; readonly halfWidth: number; readonly residuals: number[] }

/** Ratio estimator ΣS/ΣN over batches and its 95 % half-width (null when N sums to 0). */
export function ratioInterval(s: readonly number[], n: readonly number[]): Ratio | null {
  const k = n.length;
  const sumN = n.reduce((a, b) => a + b, 0), sumS = s.reduce((a, b) => a + b, 0);
  if (sumN === 0 || k < 2) return null;
  const r = sumS / sumN;
  const residuals = s.map((x, j) => x - r * n[j]!);
  const ss = residuals.reduce((a, d) => a + d * d, 0);
  const halfWidth = (tQuantile95(k - 1) * Math.sqrt(ss / (k - 1) / k)) / (sumN / k);
  return { estimate: r, halfWidth, residuals };
}

/** The batch-means intervals of one client's windows; `p99` is the run's p99 (the sectioning centre). */
export function batchMeansCi(windows: readonly BatchWindow[], p99: number): ClientCi95 {
  const L = windows.length;
  if (L < MIN_BATCHES) {
    return { mean: null, errorRate: null, p99: null, batches: 0, windowsPerBatch: 0, lag1: null,
      why: `${L} report window${L === 1 ? "" : "s"} after the warm-up: batch means need ${MIN_BATCHES} (a shorter report.window or a longer run)` };
  }
  // m whole windows per batch, as few as keep k ≤ 30; the L − k·m windows left over lengthen the
  // last batches by one window each (batchBounds), so batches differ by at most one window in m ≥ 1.
  let m = Math.ceil(L / MAX_BATCHES);
  let k = Math.floor(L / m);
  for (;;) {
    const b = batchBounds(L, k).map(([a, z]) => sum(windows.slice(a, z)));
    const n = b.map((x) => x.requests), e = b.map((x) => x.errors), s = b.map((x) => x.latencySumMs);
    const lat = n.some((x) => x === 0) ? null : ratioInterval(s, n);
    const err = lat === null || e.every((x) => x === 0) ? null : ratioInterval(e, n);
    const rLat = lat === null ? null : lag1(lat.residuals);
    const rErr = err === null ? null : lag1(err.residuals);
    const bad = (rLat !== null && correlated(rLat, k)) || (rErr !== null && correlated(rErr, k));
    if (bad && Math.floor(L / (2 * m)) >= MIN_BATCHES) {
      m *= 2;
      k = Math.floor(L / m);
      continue;
    }
    const why: string[] = [];
    const out: ClientCi95 = { mean: null, errorRate: null, p99: null, batches: k, windowsPerBatch: round3(L / k), lag1: rLat === null ? null : round3(rLat) };
    if (lat === null) why.push("a batch with no requests");
    else if (rLat !== null && correlated(rLat, k)) why.push(`mean: batches still correlated at ${k} (lag-1 ${round3(rLat)}): run longer`);
    else out.mean = round3(lat.halfWidth);
    if (lat !== null) {
      if (err === null) why.push("errorRate: no errors (batch means cannot bound a rate with no events)");
      else if (rErr !== null && correlated(rErr, k)) why.push(`errorRate: batches still correlated at ${k} (lag-1 ${round3(rErr)}): run longer`);
      else out.errorRate = roundTo(err.halfWidth, 6);
    }
    const ps = b.map((x) => x.p99);
    if (k !== L) why.push(`p99: a batch is ${round3(L / k)} windows; only a one-window batch's p99 is recorded`);
    else if (ps.some((x) => x === null)) why.push("p99: a window with no p99");
    else {
      const ss = (ps as number[]).reduce((a, x) => a + (x - p99) ** 2, 0);
      out.p99 = round3(tQuantile95(k - 1) * Math.sqrt(ss / (k - 1) / k));
    }
    if (why.length > 0) out.why = why.join("; ");
    return out;
  }
}

/** Rounded to `d` decimals (as summary.json rounds: ms to the µs, rates to 6 decimals); -0 becomes 0. */
function roundTo(x: number, d: number): number {
  const f = 10 ** d;
  return Math.round(x * f) / f || 0;
}
const round3 = (x: number) => roundTo(x, 3);

function sum(ws: readonly BatchWindow[]): BatchWindow {
  let requests = 0, errors = 0, latencySumMs = 0;
  for (const w of ws) {
    requests += w.requests;
    errors += w.errors;
    latencySumMs += w.latencySumMs;
  }
  return { requests, errors, latencySumMs, p99: ws.length === 1 ? ws[0]!.p99 : null };
}
