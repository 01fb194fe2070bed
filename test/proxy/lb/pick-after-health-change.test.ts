// A balancer remembers the host list of its last pick while the set's version stays put
// (load-balancer.ts, pickOnce). Every health change must be seen by the next pick: an ejected host is
// never chosen again, panic (too few healthy hosts) widens the choice to all, recovery narrows it.
import { describe, expect, it } from "vitest";
import type { LoadBalancerSettings } from "../../../src/proxy/api/networking.js";
import { createLoadBalancer } from "../../../src/proxy/lb/create-load-balancer.js";
import { HostSet } from "../../../src/proxy/lb/host-set.js";
import { seededSource } from "../../properties/arbitraries/lb.js";

const POLICIES: LoadBalancerSettings[] = [{ simple: "LEAST_REQUEST" }, { simple: "ROUND_ROBIN" }, { simple: "RANDOM" }];

function picked(pick: () => number, n: number): Set<number> {
  const s = new Set<number>();
  for (let i = 0; i < n; i++) s.add(pick());
  return s;
}

describe("picks follow health changes", () => {
  it.each(POLICIES.map((p) => [p.simple!, p] as const))("%s", (_, policy) => {
    const set = new HostSet([1, 1, 1, 1]);
    const lb = createLoadBalancer(policy, set, seededSource(7));
    const pick = () => lb.pick({});
    expect(picked(pick, 200)).toEqual(new Set([0, 1, 2, 3]));
    set.setHealthy(2, false); // 75 % healthy: no panic, host 2 is out
    expect(picked(pick, 200)).toEqual(new Set([0, 1, 3]));
    set.setHealthy(0, false);
    set.setHealthy(1, false); // 25 % healthy, below Envoy's 50 %: panic, every host again
    expect(picked(pick, 200)).toEqual(new Set([0, 1, 2, 3]));
    set.setHealthy(0, true);
    set.setHealthy(1, true); // 75 %: only the healthy ones
    expect(picked(pick, 200)).toEqual(new Set([0, 1, 3]));
  });
});
