// istiod's debounce, push scoping, push order and throttling, NACKs and outages, against a small
// world of pods (test/xds/xds-harness.ts).
import { describe, expect, it } from "vitest";
import { applyResources, type MeshConfig } from "../../src/config/mesh-config.js";
import type { AnyResource } from "../../src/scenario/model.js";
import { eds, Harness, SERVICES } from "./xds-harness.js";
import { Pod } from "../../src/mesh/kube/pod.js";
import { re2ProgramSize, RE2_MAX_PROGRAM_SIZE } from "../../src/proxy/route/re2-program-size.js";

let idx = 1000;
function res(kind: string, name: string, spec: unknown, namespace = "default"): AnyResource {
  return { kind, apiVersion: "networking.istio.io/v1", metadata: { name, namespace, labels: {}, annotations: {}, creationIndex: idx++ }, spec } as unknown as AnyResource;
}
const vs = (host: string, subset?: string, extra: object = {}) =>
  res("VirtualService", host, { hosts: [host], http: [{ route: [{ destination: { host, ...(subset ? { subset } : {}) } }], ...extra }] });
const dr = (host: string, subsets: string[]) => res("DestinationRule", host, { host, subsets: subsets.map((s) => ({ name: s, labels: { version: s } })) });
const apply = (c: MeshConfig, ...r: AnyResource[]) => applyResources(c, r).config;

describe("istiod debounce", () => {
  it("merges changes less than PILOT_DEBOUNCE_AFTER apart into one push", () => {
    const h = new Harness(2);
    let c = h.initial;
    for (const t of [0, 50, 120, 200]) h.at(t, () => h.cp.change((c = apply(c, vs("a")))));
    h.run();
    // One push of CDS, LDS, RDS per proxy, 100 ms after the last change.
    expect(h.arrivals.filter((a) => a.type === "rds")).toHaveLength(2);
    expect(Math.min(...h.arrivals.map((a) => a.t))).toBeGreaterThanOrEqual(300);
    expect(h.converged).toEqual([{ changedAt: 0, at: expect.any(Number) }]);
  });

  it("pushes after PILOT_DEBOUNCE_MAX even while changes keep coming", () => {
    const h = new Harness(1, { debounceMaxMs: 1000 });
    let c = h.initial;
    for (let t = 0; t <= 3000; t += 50) h.at(t, () => h.cp.change((c = apply(c, vs("a")))));
    h.run(3000);
    const rds = h.arrivals.filter((a) => a.type === "rds");
    expect(rds.length).toBeGreaterThanOrEqual(2);
    expect(rds[0]!.t).toBeLessThan(1100);
  });

  it("debounces endpoint changes too and sends them as an incremental EDS-only push", () => {
    // istiod already has endpoints of `a` with the same service account (else its first endpoints
    // are a new service: a full push, test/xds/push-source-audit.test.ts).
    const known = new Pod("known", "default", "a", { app: "a" }, {}, "default", true, "10.0.9.9");
    const h = new Harness(3, {}, undefined, undefined, eds({ [SERVICES[0]!.fqdn]: [known] }));
    const p = h.pods[0]!;
    h.at(0, () => h.cp.endpointsChanged(eds({ [SERVICES[0]!.fqdn]: [p] }), [SERVICES[0]!.fqdn]));
    h.at(60, () => h.cp.endpointsChanged(eds({ [SERVICES[0]!.fqdn]: [] }), [SERVICES[0]!.fqdn]));
    h.run();
    expect(new Set(h.arrivals.map((a) => a.type))).toEqual(new Set(["eds"]));
    expect(h.arrivals).toHaveLength(3);
    expect(h.arrivals[0]!.t).toBeGreaterThanOrEqual(160);
  });

  it("an endpoint change merged with a config change makes one full push", () => {
    const h = new Harness(1);
    h.at(0, () => h.cp.endpointsChanged(eds(), [SERVICES[0]!.fqdn]));
    h.at(10, () => h.cp.change(apply(h.initial, dr("a", ["v1"]))));
    h.run();
    expect(h.arrivals.map((a) => a.type)).toEqual(["cds", "eds", "lds", "rds"]);
  });
});

describe("push order and scope", () => {
  it("sends CDS, then EDS, then LDS, then RDS, each arriving on its own", () => {
    const h = new Harness(1);
    h.at(0, () => h.cp.change(apply(h.initial, dr("a", ["v1"]))));
    h.run();
    expect(h.arrivals.map((a) => a.type)).toEqual(["cds", "eds", "lds", "rds"]);
    const t = h.arrivals.map((a) => a.t);
    expect(t[0]).toBeLessThan(t[3]!);
  });

  it("pushes only the types a kind affects: a VirtualService skips EDS, an AuthorizationPolicy is LDS only", () => {
    const h = new Harness(1);
    h.at(0, () => h.cp.change(apply(h.initial, vs("a"))));
    h.run();
    expect(h.arrivals.map((a) => a.type)).toEqual(["cds", "lds", "rds"]);
    const g = new Harness(1);
    g.at(0, () => g.cp.change(apply(g.initial, res("AuthorizationPolicy", "deny", { action: "DENY" }))));
    g.run();
    expect(g.arrivals.map((a) => a.type)).toEqual(["lds"]);
  });

  it("does not push a proxy a change outside its Sidecar scope", () => {
    // Pods in ns1 and ns2, each limited to its own namespace by a root Sidecar.
    const h = new Harness(4, {}, undefined, ["ns1", "ns2"]);
    const scoped = apply(h.initial, res("Sidecar", "default", { egress: [{ hosts: ["./*"] }] }, "istio-system"));
    for (const x of h.xds.values()) x.cds = x.lds = x.rds = scoped;
    h.at(0, () => h.cp.change(scoped));
    h.run(1000);
    expect(h.arrivals.length).toBeGreaterThan(0);
    h.arrivals.length = 0;
    // b.default is in no one's scope.
    h.at(1000, () => h.cp.change(apply(scoped, vs("b.default.svc.cluster.local"))));
    h.run();
    expect(h.arrivals).toEqual([]);
  });

  it("pushes at most PILOT_PUSH_THROTTLE proxies at once", () => {
    const h = new Harness(10, { pushThrottle: 2 });
    h.at(0, () => h.cp.endpointsChanged(eds(), [SERVICES[0]!.fqdn]));
    h.run();
    const byTime = new Map<number, number>();
    for (const a of h.arrivals) byTime.set(a.t, (byTime.get(a.t) ?? 0) + 1);
    expect([...byTime.values()].every((n) => n <= 2)).toBe(true);
    // Five rounds of 10 ms after the 100 ms debounce.
    expect(Math.max(...h.arrivals.map((a) => a.t))).toBeCloseTo(150, 6);
    expect(h.converged[0]!.at).toBeCloseTo(150, 6);
  });

  it("grows a push's time with the resources it sends", () => {
    const small = new Harness(1, { pushTimePerResourceMs: 1 });
    small.at(0, () => small.cp.change(apply(small.initial, vs("a"))));
    small.run();
    const big = new Harness(1, { pushTimePerResourceMs: 1 });
    big.at(0, () => big.cp.change(apply(big.initial, vs("a"), dr("b", ["v1", "v2", "v3"]), dr("c", ["v1", "v2"]))));
    big.run();
    expect(big.converged[0]!.at).toBeGreaterThan(small.converged[0]!.at);
  });
});

describe("NACK", () => {
  const huge = "x|" + "[a-z0-9]{1000}".repeat(34);

  it("sizes an oversized regex above Envoy's limit as Istio configures it", () => {
    expect(re2ProgramSize(huge)).toBeGreaterThan(RE2_MAX_PROGRAM_SIZE);
    expect(re2ProgramSize("/api/v1/.*")).toBeLessThan(100);
  });

  it("a proxy rejects routes it cannot compile and keeps the previous ones", () => {
    const h = new Harness(2);
    const good = apply(h.initial, vs("a", "v1"), dr("a", ["v1"]));
    h.at(0, () => h.cp.change(good));
    const bad = apply(good, res("VirtualService", "a", { hosts: ["a"], http: [{ match: [{ uri: { regex: huge } }], route: [{ destination: { host: "a" } }] }] }));
    h.at(1000, () => h.cp.change(bad));
    h.run();
    const rejects = h.arrivals.filter((a) => !a.ok);
    expect(rejects.map((a) => a.type)).toEqual(["rds", "rds"]);
    for (const x of h.xds.values()) {
      expect(x.rds).toBe(good); // the last accepted routes
      expect(x.cds).toBe(bad); // other types are unaffected
      expect(x.stale).toBe(true);
    }
  });
});

describe("istiod down and up", () => {
  it("pushes nothing while down, then a full push of the latest config to every proxy", () => {
    const h = new Harness(3);
    let c = h.initial;
    h.at(0, () => h.cp.setUp(false));
    h.at(100, () => h.cp.change((c = apply(c, vs("a")))));
    h.at(200, () => h.cp.endpointsChanged(eds(), [SERVICES[1]!.fqdn]));
    h.at(5000, () => h.cp.setUp(true));
    h.run();
    expect(Math.min(...h.arrivals.map((a) => a.t))).toBeGreaterThanOrEqual(5000);
    for (const x of h.xds.values()) {
      expect(x.rds).toBe(c);
      expect(x.stale).toBe(false);
    }
    expect(h.arrivals.filter((a) => a.type === "cds")).toHaveLength(3);
    expect(h.converged.map((g) => g.changedAt)).toEqual([100]);
  });

  it("lets a new proxy wait for istiod, then sends it everything", () => {
    const h = new Harness(1);
    const x = h.xds.get(h.pods[0]!)!;
    x.bootstrapped = false;
    h.at(0, () => h.cp.setUp(false));
    h.at(10, () => h.cp.connect(h.pods[0]!));
    h.at(2000, () => h.cp.setUp(true));
    h.run();
    expect(h.arrivals.map((a) => a.type)).toEqual(["cds", "eds", "lds", "rds"]);
    expect(h.arrivals[0]!.t).toBeGreaterThanOrEqual(2000);
    expect(x.bootstrapped).toBe(true);
  });
});
