// The wall clock a run reads for run.json's wallMs and events/s, the sliced run's slice length and
// the progress line: milliseconds on Node's monotonic clock, the one performance.now() reads. Not
// performance.now() itself: the `performance` global loads node:perf_hooks at its first use (≈ 12 M
// instructions, 1 % of a 1 s run's process; docs/performance.md, Goal 2, session 21).
// https://nodejs.org/api/process.html#processhrtimebigint
// Nothing read from it reaches summary.json (report/summary.ts: nothing from the wall clock).

/** Milliseconds since an arbitrary fixed point; only differences mean anything. */
export function wallNowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
