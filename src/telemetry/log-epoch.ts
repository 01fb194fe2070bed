// Simulated time has no calendar; the access log and traces render it from this fixed epoch, so the
// same scenario and seed always give the same timestamps. Simulated ms 0 is 2024-01-01T00:00:00.000Z.
export const LOG_EPOCH_MS = Date.UTC(2024, 0, 1);

let cachedSecond = -1;
let cachedPrefix = "";

/** Envoy's START_TIME default rendering (%Y-%m-%dT%H:%M:%S.%3fZ, UTC) of a simulated time in ms. */
export function startTimeText(simMs: number): string {
  const ms = Math.floor(simMs);
  const second = Math.floor(ms / 1000);
  // Lines come in time order: the date and time up to the second is built once per second.
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(LOG_EPOCH_MS + second * 1000).toISOString().slice(0, 20);
  }
  return `${cachedPrefix}${String(ms - second * 1000).padStart(3, "0")}Z`;
}

/** Zipkin's timestamp: microseconds since the Unix epoch (an integer). */
export function epochMicros(simMs: number): number {
  return LOG_EPOCH_MS * 1000 + Math.round(simMs * 1000);
}
