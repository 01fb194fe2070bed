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
