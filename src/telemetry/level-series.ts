// A level that changes at instants (how many proxies are behind istiod's config), per report window:
// its maximum and its time-weighted mean, windows of `windowMs` from the end of the warm-up to the
// end of the run, grown as the run reaches them. Memory is the number of windows reached, not the
// number of changes.
export interface LevelPoint {
  /** Start of the window, in simulated seconds. */
  t: number;
  max: number;
  mean: number;
}

export class LevelSeries {
  length: number;
  private max: Float64Array;
  private area: Float64Array;
  private level = 0;
  private since: number;
  /** Highest level over the measured run. */
  peak = 0;

  constructor(readonly startMs: number, readonly windowMs: number, private endMs: number) {
    this.length = Math.max(1, Math.ceil((endMs - startMs) / windowMs));
    this.max = new Float64Array(Math.min(this.length, 64));
    this.area = new Float64Array(Math.min(this.length, 64));
    this.since = startMs;
  }

  /** The run stopped early at `ms`: the level is accounted up to there, later windows dropped. */
  endAt(ms: number): void {
    if (ms >= this.endMs) return;
    this.advance(ms);
    this.endMs = ms;
    this.length = Math.min(this.length, Math.max(1, Math.ceil((ms - this.startMs) / this.windowMs)));
  }

  /** Room for window `w` (doubling, at most `length`). */
  private reach(w: number): void {
    if (w < this.max.length) return;
    const n = Math.min(this.length, Math.max(w + 1, this.max.length * 2));
    const max = new Float64Array(n); max.set(this.max); this.max = max;
    const area = new Float64Array(n); area.set(this.area); this.area = area;
  }

  /** The level is `n` from `now` on. */
  set(n: number, now: number): void {
    this.advance(now);
    this.level = n;
    if (now >= this.startMs && now <= this.endMs) {
      const w = Math.min(this.length - 1, Math.floor((now - this.startMs) / this.windowMs));
      this.reach(w);
      if (n > this.max[w]!) this.max[w] = n;
      if (n > this.peak) this.peak = n;
    }
  }

  /** Account the current level from the last change up to `now`. */
  private advance(now: number): void {
    const to = Math.min(now, this.endMs);
    let t = Math.max(this.since, this.startMs);
    while (t < to) {
      const w = Math.min(this.length - 1, Math.floor((t - this.startMs) / this.windowMs));
      this.reach(w);
      const wEnd = Math.min(to, this.startMs + (w + 1) * this.windowMs);
      const span = Math.max(0, wEnd - t);
      this.area[w]! += this.level * span;
      if (this.level > this.max[w]!) this.max[w] = this.level;
      if (span === 0) break;
      t = wEnd;
    }
    if (this.level > this.peak && to > this.startMs) this.peak = this.level;
    if (now > this.since) this.since = now;
  }

  points(): LevelPoint[] {
    this.advance(this.endMs);
    const out: LevelPoint[] = [];
    for (let w = 0; w < this.length; w++) {
      const start = this.startMs + w * this.windowMs;
      const span = Math.min(this.windowMs, this.endMs - start);
      out.push({ t: start / 1000, max: this.max[w]!, mean: span > 0 ? Math.round((this.area[w]! / span) * 1000) / 1000 : 0 });
    }
    return out;
  }
}
