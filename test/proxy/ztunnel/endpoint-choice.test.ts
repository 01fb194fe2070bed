// ztunnel's per-connection endpoint choice (src/state.rs load_balance): strict locality tiers with
// no spill-over, then capacity-weighted random.
import { describe, expect, it } from "vitest";
import { chooseEndpoint, localityRank, routingPreference, type WorkloadLocality } from "../../../src/proxy/ztunnel/endpoint-choice.js";

interface Ep { name: string; capacity: number; loc: WorkloadLocality }
const ep = (name: string, zone: string, node = `${zone}-n`, capacity = 1): Ep => ({ name, capacity, loc: { network: "", region: "r", zone, subzone: "", node } });
const cap = (e: Ep): number => e.capacity;
const loc = (e: Ep): WorkloadLocality => e.loc;
const client: WorkloadLocality = { network: "", region: "r", zone: "a", subzone: "", node: "a-n" };

function shares(eps: Ep[], pref: ReturnType<typeof routingPreference>, n = 1000): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const e = chooseEndpoint(eps, cap, loc, client, pref, (i + 0.5) / n);
    const k = e?.name ?? "none";
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

describe("ztunnel endpoint choice", () => {
  it("without a traffic distribution draws uniformly over the ready endpoints, whatever their zone", () => {
    expect(shares([ep("a1", "a"), ep("b1", "b"), ep("b2", "b"), ep("c1", "c")], routingPreference(undefined))).toEqual({ a1: 250, b1: 250, b2: 250, c1: 250 });
  });

  it("PreferSameZone keeps only the same zone: one pod left there takes every connection (no 1.4 spill-over)", () => {
    const eps = [ep("a1", "a"), ep("b1", "b"), ep("b2", "b"), ep("b3", "b")];
    expect(shares(eps, routingPreference("PreferSameZone"))).toEqual({ a1: 1000 });
    expect(shares(eps, routingPreference("PreferClose"))).toEqual({ a1: 1000 });
  });

  it("PreferSameZone fails over to the next tier only when the zone has no ready endpoint", () => {
    expect(shares([ep("b1", "b"), ep("c1", "c")], routingPreference("PreferSameZone"))).toEqual({ b1: 500, c1: 500 });
  });

  it("PreferSameNode prefers the client's node, then its zone", () => {
    const eps = [ep("a-other", "a", "a-m"), ep("a-here", "a", "a-n"), ep("b1", "b")];
    expect(shares(eps, routingPreference("PreferSameNode"))).toEqual({ "a-here": 1000 });
    expect(shares(eps.filter((e) => e.name !== "a-here"), routingPreference("PreferSameNode"))).toEqual({ "a-other": 1000 });
  });

  it("weights by capacity", () => {
    expect(shares([ep("x", "a", "n", 3), ep("y", "a", "n", 1)], null)).toEqual({ x: 750, y: 250 });
  });

  it("has nothing to pick from no endpoints (the connection fails)", () => {
    expect(chooseEndpoint([], cap, loc, client, null, 0.3)).toBeUndefined();
  });

  it("ranks by scopes in order, stopping at the first mismatch", () => {
    const s = routingPreference("PreferSameZone")!.scopes;
    expect(localityRank(client, { network: "", region: "r", zone: "a", subzone: "" }, s)).toBe(3);
    expect(localityRank(client, { network: "", region: "r", zone: "b", subzone: "" }, s)).toBe(2);
    // The subzone matches but the zone does not: it does not count.
    expect(localityRank(client, { network: "", region: "x", zone: "a", subzone: "" }, s)).toBe(1);
  });

  // istiod's preferSameZoneLoadBalancer sends [NETWORK, REGION, ZONE]: the subzone is not ranked;
  // preferSameNodeLoadBalancer sends [NETWORK, REGION, ZONE, SUBZONE, NODE]
  // (https://github.com/istio/istio/blob/86c9f01f/pilot/pkg/serviceregistry/ambient/services.go#L704-L737).
  it("PreferSameZone does not prefer the client's subzone within its zone; PreferSameNode does", () => {
    const sub = (name: string, subzone: string): Ep => ({ name, capacity: 1, loc: { network: "", region: "r", zone: "a", subzone, node: `${name}-n` } });
    const eps = [sub("s1", "s1"), sub("s2", "s2")];
    const c: WorkloadLocality = { network: "", region: "r", zone: "a", subzone: "s1", node: "x" };
    const count = (pref: ReturnType<typeof routingPreference>): Record<string, number> => {
      const out: Record<string, number> = {};
      for (let i = 0; i < 1000; i++) {
        const k = chooseEndpoint(eps, cap, loc, c, pref, (i + 0.5) / 1000)!.name;
        out[k] = (out[k] ?? 0) + 1;
      }
      return out;
    };
    expect(count(routingPreference("PreferSameZone"))).toEqual({ s1: 500, s2: 500 });
    expect(count(routingPreference("PreferSameNode"))).toEqual({ s1: 1000 });
  });
});
