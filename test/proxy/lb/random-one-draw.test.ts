// Envoy's RANDOM balancer draws one random() per pick and uses it for both choices: the priority
// (`hash % 100 + 1` against the priority loads, LoadBalancerBase::choosePriority via
// ZoneAwareLoadBalancerBase::hostSourceToUse) and the host (`hash % hosts.size()`).
// envoyproxy/envoy source/extensions/load_balancing_policies/random/random_lb.cc
// RandomLoadBalancer::peekOrChoose; source/extensions/load_balancing_policies/common/load_balancer_impl.cc.
import { describe, expect, it } from "vitest";
import { HostSet } from "../../../src/proxy/lb/host-set.js";
import type { LbHost } from "../../../src/proxy/lb/host.js";
import { PriorityLoad } from "../../../src/proxy/lb/priority-load.js";
import { RandomLoadBalancer } from "../../../src/proxy/lb/random.js";
import { RingHashLoadBalancer } from "../../../src/proxy/lb/ring-hash.js";
import { MaglevLoadBalancer } from "../../../src/proxy/lb/maglev.js";
import { seededSource } from "../../properties/arbitraries/lb.js";

const at = (locality: string, i: number): LbHost => ({ id: `${locality}#${i}`, weight: 1, locality, labels: {} });

/** A source that counts its draws. */
const counting = (seed: number) => {
  const s = seededSource(seed);
  const c = { draws: 0, source: () => (c.draws++, s()) };
  return c;
};

describe("RANDOM: one random() per pick", () => {
  // P0: 24 hosts in the client's zone, 7 of them unhealthy: health 140·17/24 = 99 (integer), so P0
  // takes 99 % of the load and P1 (2 hosts in another zone) the hashes with hash % 100 = 99.
  const hosts = [...Array.from({ length: 24 }, (_, i) => at("r1/z1/s1", i)), at("r1/z2/s1", 24), at("r1/z2/s1", 25)];
  const failover = () => {
    const set = new HostSet(hosts, { clientLocality: "r1/z1/s1", outlierDetection: true });
    for (let i = 0; i < 7; i++) set.setHealthy(i, false);
    return set;
  };

  it("the loads are 99 / 1", () => {
    const pl = new PriorityLoad(failover(), 50);
    pl.refresh();
    expect(Array.from(pl.load)).toEqual([99, 1]);
  });

  it("draws once per pick with two priorities", () => {
    const c = counting(5);
    const lb = new RandomLoadBalancer(failover(), c.source);
    for (let i = 0; i < 1000; i++) lb.pick();
    expect(c.draws).toBe(1000);
  });

  it("the host follows the priority's hash: P1's picks are all hash % 2 = 99 % 2, its second host", () => {
    const lb = new RandomLoadBalancer(failover(), seededSource(9));
    const p1 = new Map<number, number>();
    for (let i = 0; i < 20_000; i++) {
      const h = lb.pick();
      if (h >= 24) p1.set(h, (p1.get(h) ?? 0) + 1);
    }
    // About 1 % of the picks; two independent draws would split them evenly between 24 and 25.
    expect(p1.get(25) ?? 0).toBeGreaterThan(100);
    expect(p1.get(24)).toBeUndefined();
  });

  it("draws once per pick with one priority, and once more per retry-predicate re-pick", () => {
    const c = counting(3);
    const lb = new RandomLoadBalancer(new HostSet([1, 1, 1]), c.source);
    for (let i = 0; i < 100; i++) lb.pick();
    expect(c.draws).toBe(100);
    lb.pick({ avoid: () => true, maxAttempts: 5 });
    expect(c.draws).toBe(106);
  });
});

describe("consistent hash without a hash key: a random hash for the priority and the host", () => {
  // ThreadAwareLoadBalancerBase::LoadBalancerImpl::chooseHost draws random() when the request has
  // no hash and picks the priority by `hash % 100 + 1` (envoyproxy/envoy
  // source/extensions/load_balancing_policies/common/thread_aware_lb_impl.cc).
  // Six hosts, three per zone; one of P0's three unhealthy: loads 93 / 7 (140 · 2/3 = 93).
  const six = [0, 1, 2, 3, 4, 5].map((i) => at(i < 3 ? "r1/z1/s1" : "r1/z2/s1", i));
  it.each([
    ["RING_HASH", (set: HostSet) => new RingHashLoadBalancer(set, seededSource(4), 0)],
    ["MAGLEV", (set: HostSet) => new MaglevLoadBalancer(set, seededSource(4), 0)],
  ] as const)("%s sends P1 its 7 %", (_name, make) => {
    const set = new HostSet(six, { clientLocality: "r1/z1/s1", outlierDetection: true });
    set.setHealthy(0, false);
    const lb = make(set);
    let p1 = 0;
    const n = 40_000;
    for (let i = 0; i < n; i++) if (lb.pick() >= 3) p1++;
    // A hash whose low 20 bits are zero gave `hash % 100` only multiples of 4: P1 got 4 %.
    expect(p1 / n).toBeGreaterThan(0.06);
    expect(p1 / n).toBeLessThan(0.08);
  });
});
