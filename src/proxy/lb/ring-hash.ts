// RING_HASH (Istio consistentHash default): each host gets ring entries in proportion to its weight —
// scaled so the lightest host has a whole number of entries and the ring has at least
// minimumRingSize (1024) entries, at most 8M — at hash(id + "_" + i); a request goes to the first
// entry clockwise from its hash. A retry with a host predicate moves `attempt` entries on.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#ring-hash
// envoyproxy/envoy source/extensions/load_balancing_policies/ring_hash/ring_hash_lb.cc
import { hash52 } from "./hash.js";
import { HashLoadBalancer } from "./hash-balancer.js";
import type { HostSet } from "./host-set.js";
import type { UniformSource } from "./load-balancer.js";

export const DEFAULT_MIN_RING_SIZE = 1024;
export const MAX_RING_SIZE = 8 * 1024 * 1024;

export interface Ring {
  hashes: Float64Array;
  hosts: Int32Array;
}

export class RingHashLoadBalancer extends HashLoadBalancer<Ring> {
  readonly policy = "RING_HASH" as const;

  constructor(set: HostSet, source: UniformSource, panicThresholdPercent = 50, readonly minimumRingSize = DEFAULT_MIN_RING_SIZE) {
    super(set, source, panicThresholdPercent);
  }

  protected build(set: HostSet, source: number, count: number): Ring {
    let total = 0;
    for (let k = 0; k < count; k++) total += set.weights[set.at(source, k)]!;
    let minNorm = Infinity;
    for (let k = 0; k < count; k++) minNorm = Math.min(minNorm, set.weights[set.at(source, k)]! / total);
    const minRing = Math.min(Math.max(this.minimumRingSize, 1), MAX_RING_SIZE);
    const scale = Math.min(Math.ceil(minNorm * minRing) / minNorm, MAX_RING_SIZE);
    const hashes: number[] = [];
    const hosts: number[] = [];
    let current = 0;
    let target = 0;
    for (let k = 0; k < count; k++) {
      const h = set.at(source, k);
      const id = set.hosts[h]!.id;
      target += (scale * set.weights[h]!) / total;
      for (let i = 0; current < target; i++, current++) {
        hashes.push(hash52(`${id}_${i}`));
        hosts.push(h);
      }
    }
    const order = Array.from(hashes.keys()).sort((a, b) => hashes[a]! - hashes[b]! || hosts[a]! - hosts[b]!);
    return { hashes: Float64Array.from(order, (i) => hashes[i]!), hosts: Int32Array.from(order, (i) => hosts[i]!) };
  }

  protected lookup(ring: Ring, hash: number, attempt: number): number {
    const n = ring.hashes.length;
    // First entry whose hash is ≥ the request hash; past the end wraps to the start.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ring.hashes[mid]! < hash) lo = mid + 1;
      else hi = mid;
    }
    let i = lo === n ? 0 : lo;
    if (attempt > 0) i = (i + attempt) % n;
    return ring.hosts[i]!;
  }
}
