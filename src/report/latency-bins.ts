// histograms.json: each client's latency distribution as log-spaced bins, re-binned from its HDR
// histogram, so that report.html can draw histograms and CDFs that are the run's own data (and
// `meshsim report DIR` can draw them again later). Bins of equal width on a log scale, 50 per decade
// (each 4.7 % wide): small enough to ship, fine enough for any chart; only non-empty bins are kept.
// Deterministic like summary.json (same run, same bytes).
import type { LatencyHistogram } from "../telemetry/histogram.js";
import type { Recorder } from "../telemetry/recorder.js";
import { compareText } from "./edge-selection.js";

export const BINS_PER_DECADE = 50;
/** Values below 1 µs (recorded as 0 µs) fall in the first bin, which then starts at 0. */
const SMALLEST_MS = 0.001;

/** [lower bound ms, upper bound ms, count]; bounds to 4 significant digits. */
export type LatencyBin = [number, number, number];

export interface ClientBins {
  /** Requests in the bins: equals the client's `requests` in summary.json. */
  count: number;
  bins: LatencyBin[];
}

export interface HistogramsFile {
  meshsim: string;
  scenario: string;
  seed: number;
  binsPerDecade: number;
  clients: Record<string, ClientBins>;
}

function edge(k: number): number {
  return Number((10 ** (k / BINS_PER_DECADE)).toPrecision(4));
}

/** A histogram's values as log bins. */
export function latencyBins(h: LatencyHistogram): ClientBins {
  const counts = new Map<number, number>();
  let zero = false;
  h.forEachBucket((valueMs, c) => {
    if (valueMs < SMALLEST_MS) zero = true;
    // The small epsilon keeps exact powers of ten (1 ms, 10 ms) in the bin they start.
    const k = Math.floor(Math.log10(Math.max(valueMs, SMALLEST_MS)) * BINS_PER_DECADE + 1e-9);
    counts.set(k, (counts.get(k) ?? 0) + c);
  });
  const keys = [...counts.keys()].sort((a, b) => a - b);
  const bins: LatencyBin[] = keys.map((k) => [edge(k), edge(k + 1), counts.get(k)!]);
  if (zero && bins.length > 0 && keys[0] === Math.floor(Math.log10(SMALLEST_MS) * BINS_PER_DECADE + 1e-9)) bins[0]![0] = 0;
  return { count: h.count, bins };
}

export function buildHistograms(rec: Recorder, meta: { meshsim: string; scenario: string; seed: number }): HistogramsFile {
  const clients: Record<string, ClientBins> = {};
  for (const name of [...rec.clients.keys()].sort(compareText)) clients[name] = latencyBins(rec.clients.get(name)!.latency);
  return { ...meta, binsPerDecade: BINS_PER_DECADE, clients };
}

export function histogramsJson(h: HistogramsFile): string {
  return `${JSON.stringify(h)}\n`;
}
