// UpstreamCluster makes no balancer for the empty host set it starts with; it makes the draw that
// balancer made instead, told by drawsWhenCreated. If a balancer starts drawing when it is made,
// this fails, and the cluster's stream would shift.
import { describe, expect, it } from "vitest";
import type { LoadBalancerSettings } from "../../../src/proxy/api/networking.js";
import { createLoadBalancer, drawsWhenCreated } from "../../../src/proxy/lb/create-load-balancer.js";
import { HostSet } from "../../../src/proxy/lb/host-set.js";

const SETTINGS: (LoadBalancerSettings | undefined)[] = [
  undefined,
  {},
  { simple: "UNSPECIFIED" },
  { simple: "LEAST_REQUEST" },
  { simple: "LEAST_CONN" },
  { simple: "ROUND_ROBIN" },
  { simple: "ROUND_ROBIN", warmupDurationSecs: 30 },
  { simple: "RANDOM" },
  { simple: "PASSTHROUGH" },
  { simple: "LEAST_REQUEST", warmupDurationSecs: 10 },
  { consistentHash: { httpHeaderName: "x-user" } },
  { consistentHash: { httpHeaderName: "x-user", maglev: { tableSize: 7 } } },
  { simple: "ROUND_ROBIN", consistentHash: { useSourceIp: true } },
] as (LoadBalancerSettings | undefined)[];

describe("drawsWhenCreated", () => {
  it.each(SETTINGS.map((s) => [JSON.stringify(s) ?? "undefined", s] as const))("is whether creating the balancer draws (%s)", (_, s) => {
    for (const set of [new HostSet([]), new HostSet([1]), new HostSet([1, 2, 3])]) {
      let draws = 0;
      createLoadBalancer(s, set, () => { draws++; return 0.5; });
      expect(draws > 0).toBe(drawsWhenCreated(s));
    }
  });
});
