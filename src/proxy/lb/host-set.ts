// The hosts of one upstream cluster as one Envoy worker's load balancer sees them: weights, active
// requests per host (what LEAST_REQUEST reads) and which are healthy (not ejected by outlier
// detection). Indices are stable for the life of the set; the caller keeps its own host objects in
// the same order.

export class HostSet {
  readonly size: number;
  readonly weights: Float64Array;
  /** Requests in flight to each host from this proxy (the caller increments and decrements). */
  readonly active: Int32Array;
  private readonly unhealthy: Uint8Array;
  /** Indices of healthy hosts, in index order. */
  private healthyList: Int32Array;
  private healthyCount: number;
  readonly equalWeights: boolean;

  constructor(weights: readonly number[]) {
    this.size = weights.length;
    this.weights = Float64Array.from(weights);
    this.active = new Int32Array(this.size);
    this.unhealthy = new Uint8Array(this.size);
    this.healthyList = Int32Array.from({ length: this.size }, (_, i) => i);
    this.healthyCount = this.size;
    this.equalWeights = weights.every((w) => w === weights[0]);
  }

  isHealthy(i: number): boolean {
    return this.unhealthy[i] === 0;
  }

  setHealthy(i: number, healthy: boolean): void {
    const v = healthy ? 0 : 1;
    if (this.unhealthy[i] === v) return;
    this.unhealthy[i] = v;
    let n = 0;
    for (let k = 0; k < this.size; k++) if (this.unhealthy[k] === 0) this.healthyList[n++] = k;
    this.healthyCount = n;
  }

  get healthy(): number {
    return this.healthyCount;
  }

  /** The k-th healthy host's index. */
  healthyAt(k: number): number {
    return this.healthyList[k]!;
  }
}
