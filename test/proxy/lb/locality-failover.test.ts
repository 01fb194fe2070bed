// Istio's locality priorities as loadbalancer.go computes them, and the setting istiod picks.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LbHost } from "../../../src/proxy/lb/host.js";
import { augmentLabels } from "../../../src/proxy/lb/locality-labels.js";
import { effectiveLocalitySetting } from "../../../src/proxy/lb/locality-setting.js";
import { failoverPriorityOf, localityPriority, parseLocality, planLocalities } from "../../../src/proxy/lb/locality.js";
import { hostsArb, localityArb } from "../../properties/arbitraries/lb.js";

const host = (locality: string, node: string, extra: Record<string, string> = {}): LbHost => ({
  id: `${locality}@${node}`, weight: 1, locality, labels: augmentLabels({ app: "x", ...extra }, locality, node),
});
const R = "topology.kubernetes.io/region";
const Z = "topology.kubernetes.io/zone";
const N = "topology.istio.io/network";

describe("failoverPriority (applyFailoverPriorityPerLocality)", () => {
  it("key=value entries compare with the fixed value, not the client's", () => {
    const client = augmentLabels({}, "r1/z1", "n1");
    expect(failoverPriorityOf([`${R}=r2`, Z], client, host("r2/z1", "a").labels)).toBe(0);
    expect(failoverPriorityOf([`${R}=r2`, Z], client, host("r1/z1", "a").labels)).toBe(2);
    expect(failoverPriorityOf([`${R}=r2`, Z], client, host("r2/z2", "a").labels)).toBe(1);
  });
  it("a network mismatch in first place adds N and matching continues", () => {
    const client = { [N]: "net1", [R]: "r1", [Z]: "z1" };
    expect(failoverPriorityOf([N, R, Z], client, { [N]: "net2", [R]: "r1", [Z]: "z1" })).toBe(3);
    expect(failoverPriorityOf([N, R, Z], client, { [N]: "net2", [R]: "r1", [Z]: "z2" })).toBe(4);
    expect(failoverPriorityOf([N, R, Z], client, { [N]: "net1", [R]: "r1", [Z]: "z2" })).toBe(1);
    expect(failoverPriorityOf([N, R, Z], client, { [N]: "net1", [R]: "r2", [Z]: "z1" })).toBe(2);
  });
  it("failoverPriority with failover: label priority × 5 + locality priority, compacted", () => {
    const hs = [host("r1/z1", "a", { tier: "gold" }), host("r2/z1", "b", { tier: "gold" }), host("r3/z1", "c", { tier: "gold" }), host("r1/z2", "d", { tier: "silver" })];
    const p = planLocalities(hs, {
      clientLocality: "r1/z1", clientLabels: augmentLabels({ tier: "gold" }, "r1/z1", "a"), outlierDetection: true,
      setting: { failoverPriority: ["tier"], failover: [{ from: "r1", to: "r3" }] },
    });
    // gold: r1/z1 → 0·5+0, r2 → 0·5+4, r3 → 0·5+3; silver r1/z2 → 1·5+2 = 7
    expect(Array.from(p.priorityOf)).toEqual([0, 2, 1, 3]);
  });
  it("without client labels failoverPriority is skipped (istiod returns early)", () => {
    const hs = [host("r1/z1", "a"), host("r1/z2", "b")];
    const p = planLocalities(hs, { clientLocality: "r1/z1", outlierDetection: true, setting: { failoverPriority: [Z] } });
    expect(Array.from(p.priorityOf)).toEqual([0, 0]);
  });
  it("distribute set but no `from` matches the client: no weights and no failover", () => {
    const hs = [host("r1/z1", "a"), host("r1/z2", "b")];
    const p = planLocalities(hs, { clientLocality: "r1/z1", outlierDetection: true, setting: { distribute: [{ from: "r9/*", to: { "r1/z2": 100 } }] } });
    expect(Array.from(p.priorityOf)).toEqual([0, 0]);
    expect(p.groupWeights).toEqual([]);
  });
  it("trafficDistribution forces failover without outlier detection", () => {
    const eff = effectiveLocalitySetting(undefined, "PreferClose")!;
    expect(eff.force).toBe(true);
    const hs = [host("r1/z1", "a"), host("r1/z2", "b"), host("r2/z1", "c")];
    const p = planLocalities(hs, { clientLocality: "r1/z1", clientLabels: augmentLabels({}, "r1/z1", "x"), setting: eff.setting, forceFailover: eff.force });
    expect(Array.from(p.priorityOf)).toEqual([0, 1, 2]);
    expect(Array.from(planLocalities(hs, { clientLocality: "r1/z1", setting: eff.setting }).priorityOf)).toEqual([0, 0, 0]);
  });
});

describe("effectiveLocalitySetting (GetEffectiveLbSetting)", () => {
  it("DR replaces the mesh's setting; enabled: false opts out; DR wins over trafficDistribution", () => {
    expect(effectiveLocalitySetting({ enabled: false }, "PreferClose")).toBeNull();
    expect(effectiveLocalitySetting({ failover: [{ from: "a", to: "b" }] }, "PreferClose")!.force).toBe(false);
    expect(effectiveLocalitySetting(undefined, undefined)).toEqual({ setting: { enabled: true }, force: false });
    expect(effectiveLocalitySetting(undefined, undefined, { enabled: false })).toBeNull();
    expect(effectiveLocalitySetting(undefined, "PreferSameNode")!.setting.failoverPriority).toContain("kubernetes.io/hostname");
  });
});

describe("properties of the default failover priorities", () => {
  it("a host's priority never precedes a host that is strictly closer to the client", () => {
    fc.assert(fc.property(hostsArb({ withLocality: true, minLength: 1, maxLength: 10 }), localityArb, (hs, client) => {
      const p = planLocalities(hs, { clientLocality: client, outlierDetection: true });
      const c = parseLocality(client);
      for (let i = 0; i < hs.length; i++) for (let j = 0; j < hs.length; j++) {
        const di = localityPriority(c, parseLocality(hs[i]!.locality));
        const dj = localityPriority(c, parseLocality(hs[j]!.locality));
        if (di < dj && !(p.priorityOf[i]! < p.priorityOf[j]!)) return false;
        if (di === dj && p.priorityOf[i] !== p.priorityOf[j]) return false;
      }
      return true;
    }));
  });
  it("priorities are contiguous from 0", () => {
    fc.assert(fc.property(hostsArb({ withLocality: true, minLength: 1 }), localityArb, (hs, client) => {
      const p = planLocalities(hs, { clientLocality: client, outlierDetection: true });
      const used = new Set(p.priorityOf);
      for (let k = 0; k < p.priorityCount; k++) if (!used.has(k)) return false;
      return used.size === p.priorityCount;
    }));
  });
  it("without outlier detection (and not forced) every host is priority 0", () => {
    fc.assert(fc.property(hostsArb({ withLocality: true }), localityArb, (hs, client) =>
      planLocalities(hs, { clientLocality: client }).priorityOf.every((x) => x === 0)));
  });
});

describe("retryRemoteLocalities (Envoy previous_priorities)", () => {
  it("excluding attempted priorities moves the load to the next ones; nothing left ⇒ original load", async () => {
    const { HostSet } = await import("../../../src/proxy/lb/host-set.js");
    const { PriorityLoad } = await import("../../../src/proxy/lb/priority-load.js");
    const hs = [host("r1/z1", "a"), host("r1/z2", "b"), host("r2/z1", "c")];
    const set = new HostSet(hs, { clientLocality: "r1/z1", outlierDetection: true });
    const pl = new PriorityLoad(set, 0);
    pl.refresh();
    expect(Array.from(pl.load)).toEqual([100, 0, 0]);
    expect(Array.from(pl.excluding(Uint8Array.from([1, 0, 0]))!)).toEqual([0, 100, 0]);
    expect(Array.from(pl.excluding(Uint8Array.from([1, 1, 0]))!)).toEqual([0, 0, 100]);
    expect(pl.excluding(Uint8Array.from([1, 1, 1]))).toBeNull();
  });
});

// istio/istio pilot/pkg/networking/core/loadbalancer/loadbalancer.go, LocalityLBSettings.ApplyToCluster:
// locality_weighted_lb_config is set when failover is enabled and the setting has `failover` or
// `failoverPriority` (or with `distribute`), not for the bare default. Envoy then picks a locality by
// weight × availability before a host (load_balancer_impl.cc hostSourceToUse, upstream_impl.cc
// chooseHealthyLocality / effectiveLocalityWeight, an EDF schedule).
describe("locality-weighted balancing inside a priority", () => {
  const five = () => [host("r1/b", "b0"), host("r1/b", "b1"), host("r1/c", "c0"), host("r1/c", "c1"), host("r2/x", "x0")];
  it("explicit failover rules group hosts by (locality, priority) weighing their endpoints; the bare default does not", () => {
    const withRule = planLocalities(five(), { clientLocality: "r1/a", outlierDetection: true, setting: { failover: [{ from: "r1", to: "r2" }] } });
    expect(Array.from(withRule.priorityOf)).toEqual([0, 0, 0, 0, 1]);
    expect(withRule.groupWeights).toEqual([2, 2, 1]);
    expect(withRule.groupOf[0]).toBe(withRule.groupOf[1]);
    expect(withRule.groupOf[0]).not.toBe(withRule.groupOf[2]);
    const labels = planLocalities(five(), { clientLocality: "r1/a", clientLabels: augmentLabels({}, "r1/a", "n"), outlierDetection: true, setting: { failoverPriority: [R, Z] } });
    expect(labels.groupWeights.length).toBe(3);
    const bare = planLocalities(five(), { clientLocality: "r1/a", outlierDetection: true });
    expect(bare.groupWeights).toEqual([]);
    expect(Array.from(bare.groupOf).every((g) => g === -1)).toBe(true);
  });
  it("an ejected host lowers its locality's share by availability (1.4 × healthy share), not by one host's worth", async () => {
    const { HostSet } = await import("../../../src/proxy/lb/host-set.js");
    const { RandomLoadBalancer } = await import("../../../src/proxy/lb/random.js");
    const { seededSource } = await import("../../properties/arbitraries/lb.js");
    const set = new HostSet(five().slice(0, 4), { clientLocality: "r1/a", outlierDetection: true, setting: { failover: [{ from: "r1", to: "r2" }] } });
    set.setHealthy(1, false); // r1/b: 1 of 2 healthy → weight 2 · min(1, 0.7) = 1.4; r1/c: 2
    const lb = new RandomLoadBalancer(set, seededSource(5), 0);
    let b0 = 0;
    const picks = 3400;
    for (let k = 0; k < picks; k++) if (lb.pick() === 0) b0++;
    // 1.4 / 3.4 = 41.2 % (EDF: exact to one pick); balancing the three healthy hosts as one list gives 33 %.
    expect(Math.abs(b0 - 1400)).toBeLessThanOrEqual(1);
  });
  // Envoy rebuilds the locality EDF with createWithPicks(entries, weight, random()) (LocalityWrr,
  // envoyproxy/envoy source/extensions/load_balancing_policies/common/locality_wrr.cc): the shares
  // are exact to a pick, the phase is random at every rebuild. meshsim started every rebuild at the
  // same phase (no draw), so the first pick after a health change always went to r1/a.
  it("distribute weights are followed to one pick, in EDF order from a random phase", async () => {
    const { HostSet } = await import("../../../src/proxy/lb/host-set.js");
    const { RoundRobinLoadBalancer } = await import("../../../src/proxy/lb/round-robin.js");
    const { seededSource } = await import("../../properties/arbitraries/lb.js");
    const hs = [host("r1/a", "a0"), host("r1/b", "b0")];
    const setting = { distribute: [{ from: "r1/a/*", to: { "r1/a": 80, "r1/b": 20 } }] };
    let firstToB = 0;
    const runs = 1000;
    for (let seed = 1; seed <= runs; seed++) {
      const set = new HostSet(hs, { clientLocality: "r1/a", setting });
      let draws = 0;
      const src = seededSource(seed);
      const lb = new RoundRobinLoadBalancer(set, () => { draws++; return src(); }, 50);
      const seq: number[] = [];
      for (let k = 0; k < 1000; k++) seq.push(lb.pick());
      if (seq[0] === 1) firstToB++;
      expect(Math.abs(seq.filter((h) => h === 0).length - 800)).toBeLessThanOrEqual(1);
      expect(draws).toBe(2); // the round robin's seed and the locality scheduler's
    }
    expect(firstToB / runs).toBeGreaterThan(0.15);
    expect(firstToB / runs).toBeLessThan(0.25);
  });
});
