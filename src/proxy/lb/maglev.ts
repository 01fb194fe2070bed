// MAGLEV: a lookup table of tableSize (prime, default 65537) entries; each host walks its own
// permutation (offset = hash(id) mod M, skip = hash'(id) mod (M−1) + 1) and claims the next free
// slot on its turns; a host of weight w gets a turn on every pass where pass·w ≥ its running
// target (Envoy's weighted fill), so slots end ∝ weight. Request → table[hash mod M].
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#maglev
// envoyproxy/envoy source/extensions/load_balancing_policies/maglev/maglev_lb.cc
import { hash52, HASH_SPACE } from "./hash.js";
import { HashLoadBalancer } from "./hash-balancer.js";
import type { HostSet } from "./host-set.js";
import type { UniformSource } from "./load-balancer.js";

export const DEFAULT_MAGLEV_TABLE_SIZE = 65537;

export class MaglevLoadBalancer extends HashLoadBalancer<Int32Array> {
  readonly policy = "MAGLEV" as const;

  constructor(set: HostSet, source: UniformSource, panicThresholdPercent = 50, readonly tableSize = DEFAULT_MAGLEV_TABLE_SIZE) {
    super(set, source, panicThresholdPercent);
  }

  protected build(set: HostSet, source: number, count: number): Int32Array {
    const m = this.tableSize;
    const table = new Int32Array(m).fill(-1);
    const offset = new Float64Array(count);
    const skip = new Float64Array(count);
    const next = new Float64Array(count);
    const weight = new Float64Array(count);
    const target = new Float64Array(count);
    let total = 0;
    for (let k = 0; k < count; k++) total += set.weights[set.at(source, k)]!;
    let maxW = 0;
    for (let k = 0; k < count; k++) {
      const h = set.at(source, k);
      const id = set.hosts[h]!.id;
      offset[k] = hash52(id, 0) % m;
      skip[k] = (hash52(id, 1) % (m - 1)) + 1;
      weight[k] = set.weights[h]! / total;
      maxW = Math.max(maxW, weight[k]!);
    }
    let filled = 0;
    for (let pass = 1; filled < m; pass++) {
      for (let k = 0; k < count && filled < m; k++) {
        if (pass * weight[k]! < target[k]!) continue;
        target[k]! += maxW;
        let c = (offset[k]! + skip[k]! * next[k]!) % m;
        while (table[c] !== -1) {
          next[k]!++;
          c = (offset[k]! + skip[k]! * next[k]!) % m;
        }
        table[c] = set.at(source, k);
        next[k]!++;
        filled++;
      }
    }
    return table;
  }

  protected lookup(table: Int32Array, hash: number, attempt: number): number {
    // A retry with a host predicate looks elsewhere: Envoy flips the hash's high bits per attempt.
    const h = attempt > 0 ? (hash + attempt * 0x9e3779b97f4a) % HASH_SPACE : hash;
    return table[h % table.length]!;
  }
}
