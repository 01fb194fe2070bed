// Per pod: requests its app answered and the time integral of busy slots, for utilisation
// (busy slot-time over concurrency × measured time) — or, with unbounded concurrency, the mean
// number of requests in the app (Little's L).
export class PodStats {
  requests = 0;
  ejections = 0;
  private busy = 0;
  private lastMs = 0;
  private busyIntegral = 0;

  constructor(readonly name: string, readonly concurrency: number, private readonly fromMs: number) {
    this.lastMs = fromMs;
  }

  busyChanged(now: number, busy: number): void {
    if (now > this.lastMs) {
      this.busyIntegral += this.busy * (now - this.lastMs);
      this.lastMs = now;
    }
    this.busy = busy;
  }

  served(now: number): void {
    if (now >= this.fromMs) this.requests++;
  }

  /** Mean busy slots over [fromMs, endMs]. */
  meanBusy(endMs: number): number {
    const integral = this.busyIntegral + (endMs > this.lastMs ? this.busy * (endMs - this.lastMs) : 0);
    const span = endMs - this.fromMs;
    return span > 0 ? integral / span : 0;
  }
}
