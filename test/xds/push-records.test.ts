// What istiod tells its observer about each push it starts (PushRecord): one per debounced batch of
// changes, dated by the first change, with the proxies it reached and those that NACKed it, and the
// convergence the control plane measured for it (test/xds/xds-harness.ts).
import { describe, expect, it } from "vitest";
import { applyResources, type MeshConfig } from "../../src/config/mesh-config.js";
import type { AnyResource } from "../../src/scenario/model.js";
import { eds, Harness, SERVICES } from "./xds-harness.js";

let idx = 5000;
function res(kind: string, name: string, spec: unknown): AnyResource {
  return { kind, apiVersion: "networking.istio.io/v1", metadata: { name, namespace: "default", labels: {}, annotations: {}, creationIndex: idx++ }, spec } as unknown as AnyResource;
}
const vs = (host: string, extra: object = {}) => res("VirtualService", host, { hosts: [host], http: [{ route: [{ destination: { host } }], ...extra }] });
const apply = (c: MeshConfig, ...r: AnyResource[]) => applyResources(c, r).config;

describe("istiod's push records", () => {
  it("two changes far apart are two pushes, each converging when its last proxy has it", () => {
    const h = new Harness(3);
    let c = h.initial;
    h.at(0, () => h.cp.change((c = apply(c, vs("a")))));
    h.at(5000, () => h.cp.change((c = apply(c, vs("b")))));
    h.run();
    expect(h.pushes.map((p) => [p.id, p.changedAt, p.full, p.about, p.proxies, p.rejected])).toEqual([
      [0, 0, true, "VirtualService", 3, 0],
      [1, 5000, true, "VirtualService", 3, 0],
    ]);
    // Debounce 100 ms, then one 10 ms push per proxy, all at once: the last RDS ACK is 110 ms after the change.
    expect(h.converged.map((g) => g.changedAt)).toEqual([0, 5000]);
    expect(h.converged[0]!.at).toBeCloseTo(110, 6);
    expect(h.converged[1]!.at).toBeCloseTo(5110, 6);
    const lastRds = (from: number, to: number) => Math.max(...h.arrivals.filter((a) => a.type === "rds" && a.t >= from && a.t < to).map((a) => a.t));
    expect(h.converged.map((g) => g.at)).toEqual([lastRds(0, 5000), lastRds(5000, 1e9)]);
  });

  it("two changes within PILOT_DEBOUNCE_AFTER are one push, dated by the first", () => {
    const h = new Harness(2);
    let c = h.initial;
    h.at(1000, () => h.cp.change((c = apply(c, vs("a")))));
    h.at(1060, () => h.cp.endpointsChanged(eds(), [SERVICES[1]!.fqdn]));
    h.run();
    expect(h.pushes).toHaveLength(1);
    expect(h.pushes[0]).toMatchObject({ id: 0, changedAt: 1000, full: true, about: "VirtualService, endpoints", proxies: 2 });
    expect(h.converged.map((g) => g.changedAt)).toEqual([1000]);
    expect(h.converged[0]!.at).toBeCloseTo(1170, 6);
  });

  it("an endpoints-only push names its services, and counts each proxy that NACKed a push once", () => {
    const h = new Harness(2);
    h.at(0, () => h.cp.endpointsChanged(eds(), [SERVICES[2]!.fqdn, SERVICES[0]!.fqdn]));
    const huge = "x|" + "[a-z0-9]{1000}".repeat(34);
    h.at(1000, () => h.cp.change(apply(h.cp.config, res("VirtualService", "a", { hosts: ["a"], http: [{ match: [{ uri: { regex: huge } }], route: [{ destination: { host: "a" } }] }] }))));
    h.run();
    expect(h.pushes.map((p) => [p.full, p.about, p.proxies, p.rejected])).toEqual([
      [false, `${SERVICES[0]!.fqdn}, ${SERVICES[2]!.fqdn}`, 2, 0],
      [true, "VirtualService", 2, 2],
    ]);
  });

  it("changes pending while istiod is down are one push when it comes back, sent to every proxy", () => {
    const h = new Harness(3);
    let c = h.initial;
    h.at(0, () => h.cp.setUp(false));
    h.at(100, () => h.cp.change((c = apply(c, vs("a")))));
    h.at(200, () => h.cp.change((c = apply(c, vs("b")))));
    h.at(5000, () => h.cp.setUp(true));
    h.run();
    expect(h.pushes.map((p) => [p.changedAt, p.proxies])).toEqual([[100, 3]]);
    expect(h.converged.map((g) => g.changedAt)).toEqual([100]);
    expect(h.converged[0]!.at).toBeGreaterThan(5000);
  });
});
