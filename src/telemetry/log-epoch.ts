// Simulated time has no calendar; the access log and traces render it from this fixed epoch, so the
// same scenario and seed always give the same timestamps. Simulated ms 0 is 2024-01-01T00:00:00.000Z.
export const LOG_EPOCH_MS = Date.UTC(2024, 0, 1);

/** Envoy's START_TIME default rendering (%Y-%m-%dT%H:%M:%S.%3fZ, UTC) of a simulated time in ms. */
export function startTimeText(simMs: number): string {
  return new Date(LOG_EPOCH_MS + Math.floor(simMs)).toISOString();
}

/** Zipkin's timestamp: microseconds since the Unix epoch (an integer). */
export function epochMicros(simMs: number): number {
  return LOG_EPOCH_MS * 1000 + Math.round(simMs * 1000);
}
