// A try's host is counted active (LEAST_REQUEST reads it) by its slot in the cluster's host list,
// found from the index `pick` returned, with no Map lookup while the list is the one it was picked
// from (mesh/sidecar/upstream-cluster.ts). When the endpoints change between the pick and the end of
// the try, the slot must be the host's slot in the new list.
import { describe, expect, it } from "vitest";
import { UpstreamCluster, type ClusterContext } from "../../src/mesh/sidecar/upstream-cluster.js";
import { Simulator } from "../../src/engine/simulator.js";
import { RandomStreams } from "../../src/engine/rng.js";
import { Pod } from "../../src/mesh/kube/pod.js";
import { ServiceState, type ServiceRegistry } from "../../src/mesh/kube/service-registry.js";
import type { Service } from "../../src/scenario/model.js";

const FQDN = "backend.default.svc.cluster.local";
const pod = (name: string, ip: string) => new Pod(name, "default", "backend", { app: "backend" }, {}, "default", true, ip);

function cluster(eds: { version: number; byFqdn: Map<string, Pod[]> }): UpstreamCluster {
  const sim = new Simulator();
  const rng = new RandomStreams(1);
  const ctx: ClusterContext = {
    sim, rng, registry: {} as ServiceRegistry,
    registerCounters: () => {}, outlierEvent: () => {}, kSweep: sim.on(() => {}),
  };
  const svc = new ServiceState({} as Service, FQDN, "10.96.0.10");
  return new UpstreamCluster(`outbound|8080||${FQDN}`, svc, {}, {}, ctx, rng.stream("lb"), false, 8080, { get eds() { return eds; } }, 2);
}

/** The active-request count of every host of the cluster's current list, by pod name. */
function activeByName(c: UpstreamCluster): Record<string, number> {
  const inner = c as unknown as { hosts: Pod[]; set: { active: Int32Array | number[] } };
  return Object.fromEntries(inner.hosts.map((p, i) => [p.name, inner.set.active[i]!]));
}

describe("UpstreamCluster: a try's host slot by index", () => {
  it("counts the try on the picked host, and ends it on that host's slot after the list was rebuilt in another order", () => {
    const a = pod("a", "10.0.0.1");
    const b = pod("b", "10.0.0.2");
    const cc = pod("c", "10.0.0.3");
    const eds = { version: 1, byFqdn: new Map([[FQDN, [a, b]]]) };
    const c = cluster(eds);
    const host = c.pick(null)!;
    const picked = c.pickedIndex;
    const generation = c.hostsGeneration;
    c.started(host, picked, generation);
    expect(activeByName(c)[host.name]).toBe(1);
    // New endpoints, the picked host now last (another slot than the one picked): the next pick rebuilds.
    eds.version = 2;
    eds.byFqdn.set(FQDN, [cc, host === a ? b : a, host]);
    c.pick(null);
    expect(c.hostsGeneration).toBe(generation + 1);
    expect(activeByName(c)[host.name]).toBe(1);
    c.finished(host, null, 0, true, picked, generation);
    expect(activeByName(c)).toEqual({ a: 0, b: 0, c: 0 });
  });

  it("uses the picked index while the list is unchanged", () => {
    const a = pod("a", "10.0.0.1");
    const b = pod("b", "10.0.0.2");
    const c = cluster({ version: 1, byFqdn: new Map([[FQDN, [a, b]]]) });
    const host = c.pick(null)!;
    const i = c.pickedIndex;
    expect((c as unknown as { hosts: Pod[] }).hosts[i]).toBe(host);
    c.started(host, i, c.hostsGeneration);
    c.started(host, i, c.hostsGeneration);
    expect(activeByName(c)[host.name]).toBe(2);
    c.finished(host, null, 0, true, i, c.hostsGeneration);
    expect(activeByName(c)[host.name]).toBe(1);
  });

  // carryOver (mesh/sidecar/upstream-cluster.ts) walks the new list by place; the index
  // (indexOfHosts) holds a pod listed twice at its last place, so only that place keeps the pod's state.
  it("carries a pod's state to its last place when the new list names it twice", () => {
    const a = pod("a", "10.0.0.1");
    const b = pod("b", "10.0.0.2");
    const eds = { version: 1, byFqdn: new Map([[FQDN, [a]]]) };
    const c = cluster(eds);
    expect(c.pick(null)).toBe(a);
    c.started(a, c.pickedIndex, c.hostsGeneration);
    eds.version = 2;
    eds.byFqdn.set(FQDN, [a, b, a]);
    c.takeEndpoints();
    const set = (c as unknown as { set: { active: Int32Array; availableSince: Float64Array } }).set;
    expect([...set.active]).toEqual([0, 0, 1]);
    // The first place is never visited: no slow-start clock of its own.
    expect(set.availableSince[0]).toBe(-Infinity);
    expect(set.availableSince[1]).toBe(0);
  });
});
