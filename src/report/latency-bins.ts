// histograms.json: each client's latency distribution as log-spaced bins, re-binned from its HDR
// histogram, so that report.html can draw histograms and CDFs that are the run's own data (and
// `meshsim report DIR` can draw them again later). Bins of equal width on a log scale, as fine as
// 1000 per decade (0.23 % wide; HDR's own resolution is 0.1 %) for a narrow distribution (a 1 s
// timeout), coarser for a wide one so that a client has at most MAX_BINS of them: the file stays
// small whatever the run. Only non-empty bins are kept; the page merges them into bars.
// Deterministic like summary.json (same run, same bytes).
import type { LatencyHistogram } from "../telemetry/histogram.js";
import type { Recorder } from "../telemetry/recorder.js";
import { compareText } from "./edge-selection.js";

/** Resolutions tried, finest first. */
export const BINS_PER_DECADE = [1000, 500, 200, 100, 50, 20] as const;
export const MAX_BINS = 400;
/** Values below 1 µs (recorded as 0 µs) fall in the first bin, which then starts at 0. */
const SMALLEST_MS = 0.001;

/** [lower bound ms, upper bound ms, count]; bounds to 6 significant digits. */
export type LatencyBin = [number, number, number];

export interface ClientBins {
  /** Resolution of this client's bins. */
  binsPerDecade: number;
  /** Requests in the bins: equals the client's `requests` in summary.json. */
  count: number;
  bins: LatencyBin[];
}

export interface HistogramsFile {
  meshsim: string;
  scenario: string;
  seed: number;
  clients: Record<string, ClientBins>;
}

function edge(k: number, perDecade: number): number {
  return Number((10 ** (k / perDecade)).toPrecision(6));
}

function binsAt(values: [number, number][], perDecade: number): LatencyBin[] {
  const counts = new Map<number, number>();
  let zero = false;
  for (const [valueMs, c] of values) {
    if (valueMs < SMALLEST_MS) zero = true;
    // The small epsilon keeps exact powers of ten (1 ms, 10 ms) in the bin they start.
    const k = Math.floor(Math.log10(Math.max(valueMs, SMALLEST_MS)) * perDecade + 1e-9);
    counts.set(k, (counts.get(k) ?? 0) + c);
  }
  const keys = [...counts.keys()].sort((a, b) => a - b);
  const bins: LatencyBin[] = keys.map((k) => [edge(k, perDecade), edge(k + 1, perDecade), counts.get(k)!]);
  if (zero && bins.length > 0 && keys[0] === Math.floor(Math.log10(SMALLEST_MS) * perDecade + 1e-9)) bins[0]![0] = 0;
  return bins;
}

/** A histogram's values as log bins, at the finest resolution that keeps at most MAX_BINS. */
export function latencyBins(h: LatencyHistogram): ClientBins {
  const values: [number, number][] = [];
  h.forEachBucket((v, c) => values.push([v, c]));
  let perDecade: number = BINS_PER_DECADE[0];
  let bins = binsAt(values, perDecade);
  for (const r of BINS_PER_DECADE.slice(1)) {
    if (bins.length <= MAX_BINS) break;
    perDecade = r;
    bins = binsAt(values, r);
  }
  return { binsPerDecade: perDecade, count: h.count, bins };
}

export function buildHistograms(rec: Recorder, meta: { meshsim: string; scenario: string; seed: number }): HistogramsFile {
  const clients: Record<string, ClientBins> = {};
  for (const name of [...rec.clients.keys()].sort(compareText)) clients[name] = latencyBins(rec.clients.get(name)!.latency);
  return { ...meta, clients };
}

export function histogramsJson(h: HistogramsFile): string {
  return `${JSON.stringify(h)}\n`;
}
