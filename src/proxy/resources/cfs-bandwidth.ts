// The CFS quota of a container whose threads are single FIFO servers (Envoy's workers): at most
// `quotaMs` core-ms per `periodMs` period (cpu.cfs_quota_us per cpu.cfs_period_us; the kubelet writes
// quota = limits.cpu × period, period 100 ms). A thread that finds the period's quota spent stalls
// until the next period, and the period counts as throttled (nr_throttled in cpu.stat).
// https://docs.kernel.org/scheduler/sched-bwc.html
// https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-limits-are-run
//
// Booked in the order the work is queued (Lindley's recursion gives each piece its start when it is
// queued), not by a clock: work booked for an earlier period than the latest is charged to the
// latest. A piece that runs across a period boundary is charged to the period it started in, so
// that while the quota is not spent a piece ends at exactly start + work (no time is changed when
// the limit never binds). Pure: the caller passes the times.

/** CFS's default period (cpu.cfs_period_us = 100000). */
export const CFS_PERIOD_MS = 100;

export class CfsBandwidth {
  /** Periods in which the container ran (nr_periods) and in which it was throttled (nr_throttled). */
  periods = 0;
  throttledPeriods = 0;
  private period = -1;
  private used = 0;
  private throttledNow = false;

  constructor(readonly periodMs: number, readonly quotaMs: number) {
    if (!(periodMs > 0 && quotaMs > 0)) throw new Error("CFS period and quota must be > 0");
  }

  private roll(start: number): void {
    const k = Math.floor(start / this.periodMs);
    if (k > this.period) {
      this.period = k;
      this.used = 0;
      this.throttledNow = false;
      this.periods++;
    }
  }

  /** A thread runs `workMs` of CPU from `start`: when it ends, stalls included. */
  run(start: number, workMs: number): number {
    this.roll(start);
    let t = start;
    let left = workMs;
    for (;;) {
      const room = this.quotaMs - this.used;
      if (left <= room) {
        this.used += left;
        return t + left;
      }
      // The quota runs out: the rest waits for the next period's refill.
      if (room > 0) {
        this.used = this.quotaMs;
        left -= room;
      }
      if (!this.throttledNow) {
        this.throttledNow = true;
        this.throttledPeriods++;
      }
      t = Math.max(t + Math.max(0, room), (this.period + 1) * this.periodMs);
      this.roll(t);
    }
  }

  /** CPU that uses the quota but delays no queued work of ours (Envoy's main thread). */
  charge(at: number, workMs: number): void {
    this.roll(at);
    this.used += workMs;
  }
}
