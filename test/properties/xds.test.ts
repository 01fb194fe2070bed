// Properties of istiod's pushes, stated as the invariants a mesh operator relies on.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyResources, type MeshConfig } from "../../src/config/mesh-config.js";
import type { AnyResource } from "../../src/scenario/model.js";
import { eds, Harness, SERVICES } from "../xds/xds-harness.js";

let idx = 5000;
function res(kind: string, name: string, spec: unknown): AnyResource {
  return { kind, apiVersion: "networking.istio.io/v1", metadata: { name, namespace: "default", labels: {}, annotations: {}, creationIndex: idx++ }, spec } as unknown as AnyResource;
}
const HOSTS = ["a", "b", "c"];

/** One operator action: a self-consistent rollout step (the DestinationRule defines every subset the VirtualService uses). */
type Action =
  | { kind: "rollout"; host: number; subsets: number; target: number }
  | { kind: "endpoints"; host: number }
  | { kind: "scaleUp" }
  | { kind: "down" } | { kind: "up" };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant("rollout" as const), host: fc.nat(2), subsets: fc.integer({ min: 1, max: 4 }), target: fc.nat(3) }),
  fc.record({ kind: fc.constant("endpoints" as const), host: fc.nat(2) }),
  fc.constant({ kind: "scaleUp" as const }),
  fc.constant({ kind: "down" as const }),
  fc.constant({ kind: "up" as const }),
);
const scriptArb = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 400 }), action: actionArb }), { minLength: 1, maxLength: 25 });
const settingsArb = fc.record({
  pushThrottle: fc.integer({ min: 1, max: 4 }),
  pushTime: fc.integer({ min: 1, max: 300 }),
  proxies: fc.integer({ min: 1, max: 6 }),
});

/**
 * Subsets only ever get added (a rollout adds a version; the old ones stay until routes leave them):
 * make-before-break covers new clusters. Removing a subset in the same change that moves the routes
 * off it does briefly leave a route to a removed cluster (CDS goes first) — Istio's advice is to move
 * the routes first and remove the subset later.
 */
function play(h: Harness, script: { gap: number; action: Action }[], check?: () => void): { config: MeshConfig } {
  const state = { config: h.initial };
  const subsetsOf = [0, 0, 0];
  let t = 0;
  for (const { gap, action } of script) {
    t += gap;
    h.at(t, () => {
      switch (action.kind) {
        case "rollout": {
          const host = HOSTS[action.host]!;
          const n = (subsetsOf[action.host] = Math.max(subsetsOf[action.host]!, action.subsets));
          const subsets = Array.from({ length: n }, (_, i) => ({ name: `v${i}`, labels: { version: `v${i}` } }));
          const target = `v${action.target % n}`;
          state.config = applyResources(state.config, [
            res("DestinationRule", host, { host, subsets }),
            res("VirtualService", host, { hosts: [host], http: [{ route: [{ destination: { host, subset: target } }] }] }),
          ]).config;
          h.cp.change(state.config);
          break;
        }
        case "endpoints":
          h.cp.endpointsChanged(eds({ [SERVICES[action.host]!.fqdn]: [] }), [SERVICES[action.host]!.fqdn]);
          break;
        case "scaleUp":
          h.addPod();
          break;
        case "down":
          h.cp.setUp(false);
          break;
        case "up":
          h.cp.setUp(true);
      }
      check?.();
    });
    // Observe between actions, while pushes are in flight.
    if (check) h.at(t + gap / 2, check);
  }
  return state;
}

/** Every subset a proxy's routes send to is a cluster its CDS has (a DestinationRule subset it was sent). */
function routesOnlyToReceivedClusters(h: Harness): void {
  for (const x of h.xds.values()) {
    for (const vs of x.rds.virtualServices) {
      for (const r of vs.spec.http ?? []) {
        for (const d of r.route ?? []) {
          if (d.destination.subset === undefined) continue;
          const dr = x.cds.destinationRules.find((y) => y.spec.host === d.destination.host);
          expect(dr?.spec.subsets?.some((s) => s.name === d.destination.subset)).toBe(true);
        }
      }
    }
  }
}

describe("istiod's pushes (properties)", () => {
  it("a proxy never holds a route to a new cluster it has not received (CDS before RDS)", () => {
    fc.assert(fc.property(settingsArb, scriptArb, (st, script) => {
      const h = new Harness(st.proxies, { pushThrottle: st.pushThrottle, pushTime: () => st.pushTime });
      play(h, script, () => routesOnlyToReceivedClusters(h));
      h.run();
      routesOnlyToReceivedClusters(h);
    }), { numRuns: 150 });
  });

  it("after istiod is up and quiet, every connected proxy converges to the latest version", () => {
    fc.assert(fc.property(settingsArb, scriptArb, (st, script) => {
      const h = new Harness(st.proxies, { pushThrottle: st.pushThrottle, pushTime: () => st.pushTime });
      const state = play(h, script);
      const end = script.reduce((s, x) => s + x.gap, 0) + 1;
      h.at(end, () => h.cp.setUp(true));
      h.run();
      for (const x of h.xds.values()) {
        expect(x.bootstrapped).toBe(true);
        expect(x.cds).toBe(state.config);
        expect(x.lds).toBe(state.config);
        expect(x.rds).toBe(state.config);
        expect(x.stale).toBe(false);
      }
    }), { numRuns: 150 });
  });

  it("every change converges once, no earlier than the debounce and never before it was made", () => {
    fc.assert(fc.property(settingsArb, scriptArb, (st, script) => {
      const h = new Harness(st.proxies, { pushThrottle: st.pushThrottle, pushTime: () => st.pushTime });
      play(h, script.filter((s) => s.action.kind !== "down" && s.action.kind !== "up"));
      h.run();
      for (const c of h.converged) expect(c.at - c.changedAt).toBeGreaterThanOrEqual(100);
      const starts = h.converged.map((c) => c.changedAt);
      expect(new Set(starts).size).toBe(starts.length);
    }), { numRuns: 100 });
  });
});
