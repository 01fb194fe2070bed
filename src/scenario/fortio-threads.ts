// How fortio splits `-n N` calls over `-c C` connections ("threads"), a pure function of a closed-loop
// LoadGenerator's spec that the generator (mesh/) and fortio's JSON (report/) both read.
// https://github.com/fortio/fortio/blob/master/periodic/periodic.go (runQPSSetup, runMaxQPSSetup, Run, runOne)

/**
 * How many calls each of fortio's threads makes for `-c connections -n requests -qps qps`, or for a
 * duration run (`requests` undefined) of `durationMs` (periodic.go runQPSSetup / runMaxQPSSetup and
 * Run): the array's length is the number of threads actually run; Infinity = until the load stops
 * (a max-qps duration run).
 */
export function fortioCallsPerThread(connections: number, requests: number | undefined, qps: number, durationMs = Infinity): number[] {
  if (requests === undefined && (qps <= 0 || !Number.isFinite(durationMs))) return new Array<number>(connections).fill(Infinity);
  let threads = connections;
  // runQPSSetup: int(qps · duration), or exactly n.
  let numCalls = requests ?? Math.floor((qps * durationMs) / 1000);
  if (qps > 0) {
    if (numCalls < 2) numCalls = 2;
    if (2 * threads > numCalls) threads = Math.floor(numCalls / 2);
  }
  const each = Math.floor(numCalls / threads);
  // Only -n has a left-over, given to the first thread.
  const leftOver = requests === undefined ? 0 : qps > 0 ? requests - each * threads : requests % threads;
  // runOne makes its first call before it checks the count: at least one call per thread.
  return Array.from({ length: threads }, (_, t) => Math.max(1, each + (t === 0 && leftOver > 0 ? leftOver : 0)));
}

/**
 * When (ms after the threads start) a thread of fortio's QPS mode sends its call `i` (0-based) of
 * `numCalls`: periodic.go runOne's `targetElapsedInSec = (i + i/(numCalls−1)) / perThreadQPS` (fortio
 * always has a duration — `-t` defaults to 5 s — so this stretched form is the one used, with -n too),
 * or `i / perThreadQPS` for an endless thread.
 */
export function fortioTargetMs(i: number, numCalls: number, perThreadQps: number): number {
  if (!Number.isFinite(numCalls) || numCalls <= 1) return (i * 1000) / perThreadQps;
  return ((i + i / (numCalls - 1)) * 1000) / perThreadQps;
}
