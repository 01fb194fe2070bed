// A Map whose first few entries are also found by scanning arrays by identity: for the handful of
// keys a proxy's hot path asks again and again (an app's targets, a route's destinations), a few
// comparisons cost less than hashing (docs/performance.md, "Goal 3").

/** How many entries are scanned by identity before the Map. */
const SCANNED = 8;

export class IdentityFirstMap<K extends object, V> {
  private readonly keys: K[] = [];
  private readonly values: V[] = [];
  private readonly map = new Map<K, V>();

  get(k: K): V | undefined {
    const ks = this.keys;
    for (let i = 0; i < ks.length; i++) if (ks[i] === k) return this.values[i];
    return this.map.get(k);
  }

  /** Adds an entry (a key not yet present). */
  set(k: K, v: V): void {
    this.map.set(k, v);
    if (this.keys.length < SCANNED) {
      this.keys.push(k);
      this.values.push(v);
    }
  }
}
