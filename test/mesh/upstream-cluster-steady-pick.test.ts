// A cluster's pick has a steady path (mesh/sidecar/upstream-cluster.ts, docs/performance.md Goal 4,
// session 29 `scale14`): a first try on a host list still current, with none of a retry's context.
// These check that what a retry's pick sets does not leak into the next first try, and that reading
// the hosts at the cluster's first route (`routedTo`) leaves every later pick and draw as it was.
import { describe, expect, it } from "vitest";
import { UpstreamCluster, type ClusterContext } from "../../src/mesh/sidecar/upstream-cluster.js";
import { Simulator } from "../../src/engine/simulator.js";
import { RandomStreams } from "../../src/engine/rng.js";
import { Pod } from "../../src/mesh/kube/pod.js";
import { ServiceState, type ServiceRegistry } from "../../src/mesh/kube/service-registry.js";
import type { Service } from "../../src/scenario/model.js";
import type { TrafficPolicy } from "../../src/proxy/api/networking.js";
import { HostSet } from "../../src/proxy/lb/host-set.js";

const FQDN = "backend.default.svc.cluster.local";
const pod = (name: string, ip: string) => new Pod(name, "default", "backend", { app: "backend" }, {}, "default", true, ip);

type Eds = { version: number; byFqdn: Map<string, Pod[]> };

function cluster(eds: Eds, policy: TrafficPolicy = {}, seed = 1, hostSet?: ClusterContext["hostSet"]): UpstreamCluster {
  const sim = new Simulator();
  const rng = new RandomStreams(seed);
  const ctx: ClusterContext = {
    sim, rng, registry: {} as ServiceRegistry,
    registerCounters: () => {}, outlierEvent: () => {}, kSweep: sim.on(() => {}), hostSet,
  };
  const svc = new ServiceState({} as Service, FQDN, "10.96.0.10");
  return new UpstreamCluster(`outbound|8080||${FQDN}`, svc, {}, policy, ctx, rng.stream("lb"), false, 8080, { get eds() { return eds; } }, 2);
}

const names = (c: UpstreamCluster, n: number, worker = 0): string => Array.from({ length: n }, () => c.pick(null, undefined, undefined, null, worker)!.name).join("");

describe("UpstreamCluster: the steady pick", () => {
  it("a retry's avoided hosts are not avoided by the first tries after it", () => {
    const a = pod("a", "10.0.0.1");
    const b = pod("b", "10.0.0.2");
    const c = cluster({ version: 1, byFqdn: new Map([[FQDN, [a, b]]]) });
    names(c, 5);
    // A retry with the previous-hosts predicate avoiding a: b.
    expect(c.pick([a])).toBe(b);
    // The next first tries choose among both hosts again (a's share is about half).
    expect(names(c, 40)).toContain("a");
  });

  it("a retry's tried hosts move its pick to the next priority (retryRemoteLocalities), and the next first try is back on the first", () => {
    const a = pod("a", "10.0.0.1");
    const b = pod("b", "10.0.0.2");
    // a in the client's zone (priority 0), b in another region (a later priority).
    const localities = (hosts: readonly Pod[]) =>
      new HostSet(hosts.map((p) => ({ id: p.name, weight: 1, locality: p.name === "a" ? "r1/z1" : "r2/z1", labels: {} })), { clientLocality: "r1/z1", outlierDetection: true, setting: {} });
    const c = cluster({ version: 1, byFqdn: new Map([[FQDN, [a, b]]]) }, {}, 1, localities);
    expect(names(c, 5)).toBe("aaaaa");
    // Two tries on a: its priority is excluded for this pick.
    expect(c.pick(null, undefined, undefined, [a, a])).toBe(b);
    expect(names(c, 5)).toBe("aaaaa");
  });

  for (const simple of ["LEAST_REQUEST", "ROUND_ROBIN", "RANDOM"] as const) {
    it(`${simple}: hosts read at the first route, then changed before the first pick: the same picks and draws as a cluster picked at once`, () => {
      const a = pod("a", "10.0.0.1");
      const b = pod("b", "10.0.0.2");
      const d = pod("d", "10.0.0.4");
      const policy: TrafficPolicy = { loadBalancer: { simple } };
      const routedEds: Eds = { version: 1, byFqdn: new Map([[FQDN, [a, b]]]) };
      const routed = cluster(routedEds, policy);
      routed.routedTo();
      routedEds.version = 2;
      routedEds.byFqdn.set(FQDN, [a, b, d]);
      const direct = cluster({ version: 2, byFqdn: new Map([[FQDN, [a, b, d]]]) }, policy);
      // Both workers (ROUND_ROBIN keeps a balancer each), interleaved.
      const seq = (c: UpstreamCluster) => Array.from({ length: 30 }, (_, k) => names(c, 1, k % 2)).join("");
      expect(seq(routed)).toBe(seq(direct));
    });
  }
});
