// HostSet's per-priority and per-group counts and host lists, recomputed from the locality plan they
// come from (src/proxy/lb/locality.ts planLocalities): the constructor builds them in short steps
// (docs/performance.md, Goal 4, session 21 `scale9`), and the balancers read them at every pick
// (src/proxy/lb/load-balancer.ts pickOnce, priority-load.ts). Envoy's PrioritySet keeps, per
// priority, all hosts and the healthy ones, and per locality the healthy ones:
// envoyproxy/envoy source/common/upstream/upstream_impl.cc (HostSetImpl::updateHosts).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LocalityLoadBalancerSetting } from "../../../src/proxy/api/networking.js";
import { allHostsSource, healthyHostsSource, HostSet } from "../../../src/proxy/lb/host-set.js";
import { planLocalities, type LocalityOptions } from "../../../src/proxy/lb/locality.js";
import { hostsArb, localityArb } from "../../properties/arbitraries/lb.js";

const settingArb = fc.constantFrom<LocalityLoadBalancerSetting | undefined>(
  undefined,
  // failover: priorities by distance, and one weighted group per (locality, priority)
  { failover: [{ from: "us-east", to: "eu" }] },
  // distribute: weights per locality; hosts of a locality it gives no weight are removed (priority -1)
  { distribute: [{ from: "*", to: { "us-east/*": 70, "eu/*": 30 } }] },
);

const optsArb: fc.Arbitrary<LocalityOptions> = fc.record({
  clientLocality: localityArb,
  setting: settingArb,
  outlierDetection: fc.boolean(),
});

/** Host indexes of a source, in order. */
function listOf(set: HostSet, source: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < set.count(source); k++) out.push(set.at(source, k));
  return out;
}

describe("HostSet: counts and lists from the locality plan", () => {
  it("per priority and per group: all hosts, healthy hosts, and the lists, before and after a health change", () => {
    fc.assert(fc.property(hostsArb({ withLocality: true, weighted: true, minLength: 0, maxLength: 12 }), optsArb, fc.nat(), (hosts, opts, k) => {
      const plan = planLocalities(hosts, opts);
      const set = new HostSet(hosts, opts);
      const groups = plan.groupWeights.length;
      expect(set.size).toBe(hosts.length);
      expect(set.priorityCount).toBe(plan.priorityCount);
      expect(set.localityWeighted).toBe(groups > 0);
      expect(set.equalWeights).toBe(hosts.every((h) => h.weight === hosts[0]!.weight));
      expect(Array.from(set.weights)).toEqual(hosts.map((h) => h.weight));
      expect(Array.from(set.availableSince)).toEqual(hosts.map(() => -Infinity));
      const sick = hosts.length > 0 ? k % hosts.length : -1;
      for (const step of ["new", "one unhealthy"]) {
        if (step === "one unhealthy") {
          if (sick < 0) break;
          set.setHealthy(sick, false);
        }
        const healthy = (i: number) => i !== sick || step === "new";
        for (let p = 0; p < plan.priorityCount; p++) {
          const all = hosts.map((_, i) => i).filter((i) => plan.priorityOf[i] === p);
          expect(set.priorityHosts[p]).toBe(all.length);
          expect(set.priorityHealthy[p]).toBe(all.filter(healthy).length);
          expect(listOf(set, allHostsSource(p))).toEqual(all);
          expect(listOf(set, healthyHostsSource(p))).toEqual(all.filter(healthy));
        }
        for (let g = 0; g < groups; g++) {
          const all = hosts.map((_, i) => i).filter((i) => plan.groupOf[i] === g && plan.priorityOf[i]! >= 0);
          expect(set.groupHosts[g]).toBe(all.length);
          expect(set.groupHealthy[g]).toBe(all.filter(healthy).length);
          if (all.length > 0) expect(set.groupPriority[g]).toBe(plan.priorityOf[all[0]!]);
          expect(listOf(set, set.groupSource(g))).toEqual(all.filter(healthy));
        }
        const withPriority = hosts.map((_, i) => i).filter((i) => plan.priorityOf[i]! >= 0);
        expect(set.healthy).toBe(withPriority.filter(healthy).length);
      }
    }));
  });

  it("the examples have groups and removed hosts (the property covers them)", () => {
    const hosts = [
      { id: "a", weight: 1, labels: {}, locality: "us-east/us-east-a/1" },
      { id: "b", weight: 2, labels: {}, locality: "us-west/us-west-a/1" },
      { id: "c", weight: 1, labels: {}, locality: "eu/eu-b/2" },
    ];
    const failover = new HostSet(hosts, { clientLocality: "us-east/us-east-a/1", outlierDetection: true, setting: { failover: [{ from: "us-east", to: "eu" }] } });
    expect(failover.groupWeights.length).toBe(3);
    expect(Array.from(failover.groupHosts)).toEqual([1, 1, 1]);
    const distribute = new HostSet(hosts, { clientLocality: "us-east/us-east-a/1", setting: { distribute: [{ from: "*", to: { "us-east/*": 70, "eu/*": 30 } }] } });
    expect(Array.from(distribute.priorityOf)).toContain(-1);
    expect(distribute.healthy).toBe(2);
  });
});
