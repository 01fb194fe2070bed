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

/** circllhist's bin of a recorded value (a non-negative number, truncated to an integer as Envoy records it). */
function bin(x: number): { lower: number; width: number } {
  const v = Math.floor(x);
  if (v <= 0) return { lower: 0, width: 0 };
  if (v < 10) return { lower: v, width: 0.1 };
  const digits = String(v).length;
  if (digits <= 2) return { lower: v, width: 1 };
  const scale = 10 ** (digits - 2);
  return { lower: Math.floor(v / scale) * scale, width: scale };
}

/**
 * Index of the first bucket that counts the value as Envoy's Prometheus output does (the bin's
 * upper edge ≤ the bound); the +Inf bucket is the array's length.
 */
export function bucketIndex(x: number): number {
  const { lower, width } = bin(x);
  const upper = lower + width;
  const b = ISTIO_DURATION_BUCKETS_MS;
  for (let i = 0; i < b.length; i++) if (upper <= b[i]!) return i;
  return b.length;
}

/** What the value adds to the histogram's `_sum`: its bin's midpoint (hist_approx_sum). */
export function sumContribution(x: number): number {
  const { lower, width } = bin(x);
  return lower + width / 2;
}
