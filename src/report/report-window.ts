// The time series' window when the scenario sets no `report.window`: picked from the measured length
// so that a 4 s run and a 100-minute run both get a readable number of windows (24 to 60), each a
// round duration (1-2-5 steps below a minute, then 1, 2, 5, 10, 15, 30 minutes and whole hours).
// Fixed 10 s windows turned a 0.1 s convergence into 10 s of stale proxies and a 4 s run into one
// window (meshsim issue 20, item 5).

/** At most this many windows over the measured period. */
export const MAX_AUTO_WINDOWS = 60;

const STEPS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000,
  60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000,
];

/** The smallest round window that cuts `measuredMs` into at most MAX_AUTO_WINDOWS windows. */
export function autoWindowMs(measuredMs: number): number {
  const want = Math.max(0, measuredMs) / MAX_AUTO_WINDOWS;
  for (const w of STEPS_MS) if (w >= want) return w;
  // Beyond the table: whole hours.
  return Math.ceil(want / 3_600_000) * 3_600_000;
}
