import { describe, expect, it } from "vitest";
import { consistentHashKey, cookieValue } from "../../../src/proxy/lb/consistent-hash-key.js";
import { HostSet } from "../../../src/proxy/lb/host-set.js";
import { selectSubsetHosts, type LbHost } from "../../../src/proxy/lb/host.js";
import { planLocalities } from "../../../src/proxy/lb/locality.js";
import { PriorityLoad, istioPanicThresholdPercent } from "../../../src/proxy/lb/priority-load.js";
import { RandomLoadBalancer } from "../../../src/proxy/lb/random.js";
import { seededSource } from "../../properties/arbitraries/lb.js";

const at = (locality: string, i: number): LbHost => ({ id: `${locality}#${i}`, weight: 1, locality, labels: {} });

describe("locality failover priorities (istiod)", () => {
  const hosts = [at("r1/z1/s1", 0), at("r1/z1/s2", 1), at("r1/z2/s1", 2), at("r2/z1/s1", 3), at("r3/z1/s1", 4)];
  it("P0 same subzone, P1 same zone, P2 same region, P3 elsewhere — only with outlier detection", () => {
    const p = planLocalities(hosts, { clientLocality: "r1/z1/s1", outlierDetection: true });
    expect(Array.from(p.priorityOf)).toEqual([0, 1, 2, 3, 3]);
    expect(Array.from(planLocalities(hosts, { clientLocality: "r1/z1/s1" }).priorityOf)).toEqual([0, 0, 0, 0, 0]);
  });
  it("a failover rule keeps its `to` region at P3 and drops other regions to P4; levels are compacted", () => {
    const p = planLocalities([hosts[0]!, hosts[3]!, hosts[4]!], {
      clientLocality: "r1/z1/s1", outlierDetection: true, setting: { failover: [{ from: "r1", to: "r3" }] },
    });
    expect(Array.from(p.priorityOf)).toEqual([0, 2, 1]);
    expect(p.priorityCount).toBe(3);
  });
  it("failoverPriority labels: priority = labels not matched in order", () => {
    const hs: LbHost[] = [
      { id: "a", weight: 1, labels: { net: "n1", zone: "z1" } },
      { id: "b", weight: 1, labels: { net: "n1", zone: "z2" } },
      { id: "c", weight: 1, labels: { net: "n2", zone: "z1" } },
    ];
    const p = planLocalities(hs, { clientLocality: "r/z/s", clientLabels: { net: "n1", zone: "z1" }, outlierDetection: true, setting: { failoverPriority: ["net", "zone"] } });
    expect(Array.from(p.priorityOf)).toEqual([0, 1, 2]);
  });
  it("distribute: weights per matched locality, unmatched localities removed", () => {
    const p = planLocalities(hosts, {
      clientLocality: "r1/z1/s1",
      setting: { distribute: [{ from: "r1/z1/*", to: { "r1/z1/*": 80, "r2/*": 20 } }] },
    });
    expect(Array.from(p.priorityOf)).toEqual([0, 0, -1, 0, -1]);
    const w = p.groupWeights;
    expect(w[p.groupOf[0]!]).toBe(40);
    expect(w[p.groupOf[3]!]).toBe(20);
  });
});

describe("priority spill-over with overprovisioning 1.4", () => {
  const six = [0, 1, 2, 3, 4, 5].map((i) => at(i < 3 ? "r1/z1/s1" : "r1/z2/s1", i));
  it("P0 keeps 100 % until more than ~28.6 % of it is unhealthy", () => {
    const set = new HostSet(six, { clientLocality: "r1/z1/s1", outlierDetection: true });
    const pl = new PriorityLoad(set, 0);
    pl.refresh();
    expect(Array.from(pl.load)).toEqual([100, 0]);
    set.setHealthy(0, false); // P0 2/3 healthy: 140·2/3 = 93
    pl.refresh();
    expect(Array.from(pl.load)).toEqual([93, 7]);
    set.setHealthy(1, false);
    set.setHealthy(2, false);
    pl.refresh();
    expect(Array.from(pl.load)).toEqual([0, 100]);
  });
  it("the balancer follows the loads", () => {
    const set = new HostSet(six, { clientLocality: "r1/z1/s1", outlierDetection: true });
    set.setHealthy(0, false);
    const lb = new RandomLoadBalancer(set, seededSource(2), 0);
    let p1 = 0;
    for (let i = 0; i < 5000; i++) if (lb.pick() >= 3) p1++;
    expect(p1 / 5000).toBeGreaterThan(0.05);
    expect(p1 / 5000).toBeLessThan(0.09);
  });
  it("total panic spreads load by host counts; panic disabled gives nothing", () => {
    const set = new HostSet(six, { clientLocality: "r1/z1/s1", outlierDetection: true });
    for (let i = 0; i < 6; i++) set.setHealthy(i, false);
    const pl = new PriorityLoad(set, 50);
    pl.refresh();
    expect(Array.from(pl.load)).toEqual([50, 50]);
    expect(Array.from(pl.panic)).toEqual([1, 1]);
    expect(new RandomLoadBalancer(set, seededSource(1), 0).pick()).toBe(-1);
  });
  // envoyproxy/envoy source/extensions/load_balancing_policies/common/load_balancer_impl.cc,
  // recalculatePerPriorityPanic: "Never set panic mode if normalized total health is 100%".
  it("no priority panics while the normalized total health is 100 %", () => {
    const eight = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => at(i < 4 ? "r1/z1/s1" : "r1/z2/s1", i));
    const set = new HostSet(eight, { clientLocality: "r1/z1/s1", outlierDetection: true });
    for (const i of [0, 1, 2]) set.setHealthy(i, false); // P0: 1 of 4 healthy (25 % < 50 %), health 35; P1 100
    const pl = new PriorityLoad(set, 50);
    pl.refresh();
    expect(Array.from(pl.load)).toEqual([35, 65]);
    expect(Array.from(pl.panic)).toEqual([0, 0]);
    // So P0's share goes to its one healthy host only.
    const lb = new RandomLoadBalancer(set, seededSource(3), 50);
    for (let k = 0; k < 400; k++) expect([3, 4, 5, 6, 7]).toContain(lb.pick());
    // One priority: 75 % healthy is health 100, so even a threshold of 80 % leaves it out of panic.
    const one = new HostSet([1, 1, 1, 1]);
    one.setHealthy(0, false);
    const pl1 = new PriorityLoad(one, 80);
    pl1.refresh();
    expect(Array.from(pl1.panic)).toEqual([0]);
  });
  // load_balancer_impl.cc recalculateLoadInTotalPanic: all priorities in panic ⇒ load by host counts.
  it("every priority in panic (though some health is left): load follows host counts", () => {
    const four = [0, 1, 2, 3].map((i) => at(i < 3 ? "r1/z1/s1" : "r1/z2/s1", i));
    const set = new HostSet(four, { clientLocality: "r1/z1/s1", outlierDetection: true });
    set.setHealthy(0, false);
    set.setHealthy(1, false); // P0 1 of 3 healthy (33 %, health 46), P1 0 of 1: both under 50 %
    set.setHealthy(3, false);
    const pl = new PriorityLoad(set, 50);
    pl.refresh();
    expect(Array.from(pl.panic)).toEqual([1, 1]);
    expect(Array.from(pl.load)).toEqual([75, 25]);
  });
  it("Istio's panic threshold: minHealthPercent with outlier detection (default 0), else 50", () => {
    expect(istioPanicThresholdPercent(undefined)).toBe(50);
    expect(istioPanicThresholdPercent({})).toBe(0);
    expect(istioPanicThresholdPercent({ minHealthPercent: 30 })).toBe(30);
  });
});

describe("subsets", () => {
  it("selectSubsetHosts keeps hosts carrying every subset label", () => {
    const hs: LbHost[] = [
      { id: "a", weight: 1, labels: { version: "v1", app: "r" } },
      { id: "b", weight: 1, labels: { version: "v2", app: "r" } },
    ];
    expect(selectSubsetHosts(hs, { version: "v2" }).map((h) => h.id)).toEqual(["b"]);
    expect(selectSubsetHosts(hs, {}).length).toBe(2);
    expect(selectSubsetHosts(hs, { version: "v3" })).toEqual([]);
  });
});

describe("consistent-hash keys", () => {
  const req = { method: "GET", scheme: "http", authority: "r", path: "/p?user=7&x", headers: { "x-user": "jason", cookie: "a=1; session=\"abc\"" } };
  it("header, cookie, source IP, query parameter; absent ⇒ undefined", () => {
    expect(consistentHashKey({ httpHeaderName: "X-User" }, req, "1.2.3.4")).toBe("jason");
    expect(consistentHashKey({ httpHeaderName: "x-none" }, req, "1.2.3.4")).toBeUndefined();
    expect(consistentHashKey({ httpCookie: { name: "session" } }, req, undefined)).toBe("abc");
    expect(consistentHashKey({ httpCookie: { name: "nope" } }, req, "1.2.3.4")).toBeUndefined();
    expect(consistentHashKey({ httpCookie: { name: "nope", ttlMs: 1000 } }, req, "1.2.3.4")).toBe("generated:1.2.3.4");
    expect(consistentHashKey({ useSourceIp: true }, req, "1.2.3.4")).toBe("1.2.3.4");
    expect(consistentHashKey({ httpQueryParameterName: "user" }, req, undefined)).toBe("7");
    expect(consistentHashKey({ httpQueryParameterName: "zz" }, req, undefined)).toBeUndefined();
  });
  it("cookieValue parses a Cookie header", () => {
    expect(cookieValue("a=1;b=2", "b")).toBe("2");
    expect(cookieValue("ab=1", "a")).toBeUndefined();
  });
});
