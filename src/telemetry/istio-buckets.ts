// Istio's default buckets for istio_request_duration_milliseconds (Envoy's defaults), in ms; the
// `sidecar.istio.io/statsHistogramBuckets` annotation can override them in a real mesh.
// https://istio.io/latest/docs/reference/config/metrics/ (semantics §9.1);
// envoyproxy/envoy source/common/stats/histogram_impl.cc HistogramSettingsImpl::defaultBuckets.
//
// What Envoy puts in them, which the metrics.prom histograms reproduce:
// - istio_stats.cc (IstioStatsFilter::log) records the duration as `absl::FromChrono(d) /
//   absl::Milliseconds(1)`, an integer division: whole milliseconds, truncated (17.8 ms is 17);
//   sizes are whole bytes.
// - Envoy keeps each histogram as a circllhist (openhistogram/libcircllhist): a value lands in a bin
//   of two significant digits ([17, 18), [170, 180), [1, 1.1) for 1; 0 has its own bin).
// - The `le` bucket counts the bins whose upper edge is ≤ the bound (hist_approx_count_below, called
//   by HistogramStatisticsImpl::refresh): a 5 ms request is in le="10", not le="5" (its bin [5, 5.1)
//   ends above 5), a 0 ms one in le="0.5".
// - `_sum` is hist_approx_sum: each value counted at its bin's midpoint (17 → 17.5, 170 → 175).
export const ISTIO_DURATION_BUCKETS_MS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
];

/**
 * Width of circllhist's bin of a recorded value `v` (a whole number ≥ 0): two significant digits, so
 * the power of ten that leaves v / width in [10, 100); 0.1 below 10; 0 for the zero bin. Numbers,
 * not an object: this runs for every request at every reporter.
 */
function binWidth(v: number): number {
  if (v <= 0) return 0;
  if (v < 10) return 0.1;
  let scale = 1;
  while (v >= 100 * scale) scale *= 10;
  return scale;
}

/** The lower edge of that bin. */
function binLower(v: number, width: number): number {
  return width <= 1 ? Math.max(v, 0) : Math.floor(v / width) * width;
}

/**
 * Index of the first bucket that counts the value as Envoy's Prometheus output does (the bin's
 * upper edge ≤ the bound); the +Inf bucket is the array's length.
 */
export function bucketIndex(x: number): number {
  const v = Math.floor(x);
  return v >= 0 && v < Table.Small ? SMALL[2 * v]! : indexOfWhole(v);
}

function indexOfWhole(v: number): number {
  const width = binWidth(v);
  const upper = binLower(v, width) + width;
  const b = ISTIO_DURATION_BUCKETS_MS;
  for (let i = 0; i < b.length; i++) if (upper <= b[i]!) return i;
  return b.length;
}

/**
 * Count the value in `buckets` (at `bucketIndex(x)`) and return what it adds to the `_sum`
 * (`sumContribution(x)`): the two answers from one floor and one range check, for the recorders
 * that want both (telemetry/request-stats.ts, per request and reporter).
 */
export function countIn(buckets: Float64Array, x: number): number {
  const v = Math.floor(x);
  if (v >= 0 && v < Table.Small) {
    const small = SMALL;
    buckets[small[2 * v]!]!++;
    return small[2 * v + 1]!;
  }
  return countWhole(buckets, v);
}

/** `countIn` of a whole value past the table (or negative): apart, so that `countIn` stays small to inline. */
function countWhole(buckets: Float64Array, v: number): number {
  buckets[indexOfWhole(v)]!++;
  return sumOfWhole(v);
}

/** What the value adds to the histogram's `_sum`: its bin's midpoint (hist_approx_sum). */
export function sumContribution(x: number): number {
  const v = Math.floor(x);
  return v >= 0 && v < Table.Small ? SMALL[2 * v + 1]! : sumOfWhole(v);
}

function sumOfWhole(v: number): number {
  const width = binWidth(v);
  return binLower(v, width) + width / 2;
}

/**
 * Both answers for every whole value below Table.Small, 1,024 (ms or bytes), computed once at load: every request
 * is recorded at one reporter or more, and its latency is almost always under 1 s, so the two cost a
 * floor and a load each instead of the bin's arithmetic and a search of the bounds.
 */
const enum Table { Small = 1024 } // a literal in the bundle (hdr-counts.ts: const enum Hdr)
/** SMALL[2v] is v's bucket index, SMALL[2v + 1] its `_sum` contribution: one array, so that `countIn`
 *  reads the module's context, checks the array and loads its length once, not twice (two arrays cost
 *  ≈ 9 instructions more a record: docs/performance.md, Goal 2, session 22). */
const SMALL = new Float64Array(2 * Table.Small);
for (let v = 0; v < Table.Small; v++) {
  SMALL[2 * v] = indexOfWhole(v);
  SMALL[2 * v + 1] = sumOfWhole(v);
}
