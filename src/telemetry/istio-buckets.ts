// Istio's default buckets for istio_request_duration_milliseconds (Envoy's defaults), in ms; the
// `sidecar.istio.io/statsHistogramBuckets` annotation can override them in a real mesh.
// https://istio.io/latest/docs/reference/config/metrics/ (semantics §9.1)
export const ISTIO_DURATION_BUCKETS_MS: readonly number[] = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
];

/**
 * Index of the first bucket whose upper bound (Prometheus `le`, inclusive) holds the value; the +Inf
 * bucket is the array's length.
 */
export function bucketIndex(ms: number): number {
  const b = ISTIO_DURATION_BUCKETS_MS;
  for (let i = 0; i < b.length; i++) if (ms <= b[i]!) return i;
  return b.length;
}
