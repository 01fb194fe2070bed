// The CFS quota of a container whose threads are single FIFO servers (Envoy's workers): at most
// `quotaMs` core-ms per `periodMs` period (cpu.cfs_quota_us per cpu.cfs_period_us; the kubelet writes
// quota = limits.cpu × period, period 100 ms). A thread that finds the period's quota spent stalls
// until the next period, and the period counts as throttled (nr_throttled in cpu.stat).
// https://docs.kernel.org/scheduler/sched-bwc.html
// https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-limits-are-run
//
// Each piece of work is charged to the period it starts in, whatever the order it is booked in: the
// workers' queues are "free at" times (Lindley's recursion), so one worker may book work seconds
// after another's; a ring of the last RING periods keeps each period's use. A piece that runs across
// a period boundary is charged to the period it started in, so that while the quota is not spent a
// piece ends at exactly start + work (no time is changed when the limit never binds). Pure: the
// caller passes the times.

/** CFS's default period (cpu.cfs_period_us = 100000). */
export const CFS_PERIOD_MS = 100;

/** Periods remembered (25.6 s at 100 ms): a booking further behind the latest shares its slot. */
const RING = 256;

export class CfsBandwidth {
  /** Periods in which the container ran (nr_periods) and in which it was throttled (nr_throttled). */
  periods = 0;
  throttledPeriods = 0;
  // The ring's three arrays are views of one buffer: each typed array over 64 bytes gets a backing
  // store of its own outside V8's heap (a calloc and an ArrayBuffer for the collector to track), and a
  // 1,000-service mesh makes one ring per sidecar (docs/performance.md, Goal 4).
  // https://v8.dev/blog/pointer-compression (typed_array_max_size_in_heap)
  private readonly buffer = new ArrayBuffer(RING * 17);
  /** Period index + 1 held by each slot (0: none yet, so that the zeroed buffer needs no fill). */
  private readonly tag = new Float64Array(this.buffer, 0, RING);
  private readonly used = new Float64Array(this.buffer, RING * 8, RING);
  private readonly throttled = new Uint8Array(this.buffer, RING * 16, RING);
  /** The period the last piece was charged to: [lastFrom, lastTo) in slot lastSlot. */
  private lastSlot = 0;
  private lastFrom = 0;
  private lastTo = -1;

  constructor(
    readonly periodMs: number,
    readonly quotaMs: number,
    /** Told the start (ms) of each period that gets throttled. */
    private readonly onThrottle?: (periodStartMs: number) => void,
  ) {
    if (!(periodMs > 0 && quotaMs > 0)) throw new Error("CFS period and quota must be > 0");
    this.chargeMargin = Number.isInteger(periodMs) && periodMs < 2 ** 31 ? 1 : Infinity;
  }

  /** How far inside the last period a charge must fall to take its slot without the division (see charge). */
  private readonly chargeMargin: number;

  /** The ring slot of period k (a new period starts empty). */
  private slot(k: number): number {
    // k % RING as an integer operation: k comes from Math.floor, a double to V8, whose `%` is a
    // floating-point fmod call. The same value for 0 ≤ k < 2^31 periods (6.8 simulated years).
    const i = k < 2_147_483_648 ? k & (RING - 1) : k % RING;
    if (this.tag[i]! <= k) {
      this.tag[i] = k + 1;
      this.used[i] = 0;
      this.throttled[i] = 0;
      this.periods++;
      this.lastTo = -1; // a slot was reused: the fast path must look again
    }
    return i;
  }

  /** A thread runs `workMs` of CPU from `start`: when it ends, stalls included. */
  run(start: number, workMs: number): number {
    // Most pieces start in the period of the previous one and fit in its quota.
    if (start >= this.lastFrom && start < this.lastTo) {
      const i = this.lastSlot;
      if (workMs <= this.quotaMs - this.used[i]!) {
        this.used[i]! += workMs;
        return start + workMs;
      }
    }
    // `+`: the same number, known to TurboFan as a double, so that where `run` is inlined the fast
    // path's `start + workMs` is not boxed in a new HeapNumber to merge with a call's tagged result.
    return +this.runAcross(start, workMs);
  }

  /**
   * `run`, then `charge(start, chargeMs)` (a pass's worker CPU and its main thread's share, charged
   * at the pass's start): the same sums in the same order, but on the fast path the charge adds to
   * the slot `run` has just found, without `charge`'s second look at the period. No charge when
   * `chargeMs` is 0, as before.
   */
  runCharging(start: number, workMs: number, chargeMs: number): number {
    // `charge`'s own test (more than its margin inside the period `run` charged last) first, so that
    // both sums go to that slot; the rest, 1 % of a 100 ms period, through `run` and `charge`.
    if (start >= this.lastFrom && start < this.lastTo - this.chargeMargin) {
      const i = this.lastSlot;
      const used = this.used;
      if (workMs <= this.quotaMs - used[i]!) {
        used[i]! += workMs;
        used[i]! += chargeMs;
        return start + workMs;
      }
    }
    // One call with `start`: TurboFan boxes a double handed to calls once, where it dominates them
    // all, so a second call site would box `start` on the fast path too.
    return +this.runThenCharge(start, workMs, chargeMs);
  }

  private runThenCharge(start: number, workMs: number, chargeMs: number): number {
    const end = this.run(start, workMs);
    if (chargeMs > 0) this.charge(start, chargeMs);
    return end;
  }

  /** `run` past its fast path (a new period, or a full one): apart so that `run` stays inlinable. */
  private runAcross(start: number, workMs: number): number {
    let t = start;
    let left = workMs;
    for (;;) {
      const k = Math.floor(t / this.periodMs);
      const i = this.slot(k);
      this.lastSlot = i;
      this.lastFrom = k * this.periodMs;
      this.lastTo = this.lastFrom + this.periodMs;
      const room = this.quotaMs - this.used[i]!;
      if (left <= room) {
        this.used[i]! += left;
        return t + left;
      }
      // The quota runs out: the rest waits for the next period's refill.
      if (room > 0) {
        this.used[i] = this.quotaMs;
        left -= room;
      }
      if (this.throttled[i] === 0) {
        this.throttled[i] = 1;
        this.throttledPeriods++;
        this.onThrottle?.(k * this.periodMs);
      }
      t = Math.max(t + Math.max(0, room), (k + 1) * this.periodMs);
    }
  }

  /** CPU that uses the quota but delays no queued work of ours (Envoy's main thread). */
  charge(at: number, workMs: number): void {
    // Most charges fall in the period `run` charged last (the main thread's share of the pass just
    // run): that slot without the division. The same slot as Math.floor(at / periodMs) gives: with
    // an integer period, k·periodMs is exact, and `at` more than 1 ms below the period's end divides
    // to below k + 1 by far more than an ulp (`lastTo` is -1 when that slot was reused).
    if (at >= this.lastFrom && at < this.lastTo - this.chargeMargin) {
      this.used[this.lastSlot]! += workMs;
      return;
    }
    this.used[this.slot(Math.floor(at / this.periodMs))]! += workMs;
  }
}
