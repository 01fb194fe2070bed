// A node's CPU shared by its containers' cpu.shares at run time: generalized processor sharing
// across containers (weights from requests.cpu, an idle container's share to the others),
// processor sharing among each container's threads, against the fluid schedule computed by hand.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";
import { ContainerCpu } from "../../src/mesh/kube/container-cpu.js";
import { NodeCpu } from "../../src/mesh/kube/node-cpu.js";

function rig(nodeCores: number, containers: { name: string; request: number; limit?: number }[]) {
  const sim = new Simulator();
  const node = new NodeCpu("n1", nodeCores);
  const done: Record<string, number> = {};
  const cpus = new Map(containers.map((c) => [c.name, new ContainerCpu(sim, c.name, c.limit ?? Infinity, nodeCores, c.request, Infinity, node)]));
  const kSubmit = sim.on((x: { c: string; ms: number; id: string }) => {
    cpus.get(x.c)!.compute(sim.now, x.ms, { computeDone: () => (done[x.id] = sim.now) });
  });
  return { sim, done, cpus, at: (t: number, c: string, ms: number, id: string) => sim.at(t, kSubmit, { c, ms, id }) };
}

describe("NodeCpu: CFS shares across the containers of a contended node", () => {
  it("splits a 1-core node 3:1 by requests while both are busy, then gives all of it to the one left", () => {
    // A (request 750m): 3 threads × 300 ms; B (250m): 2 threads × 200 ms; all from t = 0.
    // Both busy: A at 0.75 core (0.25 per thread), B at 0.25. A's 900 core-ms end at 1,200 ms; B has
    // done 300 of its 400 by then, and its 2 threads share the whole core for the last 100: 1,300 ms.
    const r = rig(1, [{ name: "a", request: 0.75 }, { name: "b", request: 0.25 }]);
    for (let i = 0; i < 3; i++) r.at(0, "a", 300, `a${i}`);
    for (let i = 0; i < 2; i++) r.at(0, "b", 200, `b${i}`);
    r.sim.run();
    for (let i = 0; i < 3; i++) expect(r.done[`a${i}`]).toBeCloseTo(1200, 6);
    for (let i = 0; i < 2; i++) expect(r.done[`b${i}`]).toBeCloseTo(1300, 6);
    // Work-conserving: the node ran at 1 core the whole 1,300 ms.
    expect(r.cpus.get("a")!.usage.totalMs + r.cpus.get("b")!.usage.totalMs).toBeCloseTo(1300, 6);
  });

  it("a container without a request gets the minimum shares (2 against 1024) under contention", () => {
    const r = rig(1, [{ name: "big", request: 1 }, { name: "none", request: 0 }]);
    r.at(0, "big", 1000, "big");
    r.at(0, "none", 10, "none");
    r.sim.run();
    // none runs at 2/1026 of the core while big is busy: 1000 ms of big take 1000 / (1024/1026) ms.
    expect(r.done["big"]).toBeCloseTo(1000 * 1026 / 1024, 6);
    // By then none did 1000 × 2/1024 ≈ 1.95 ms; its remaining 8.05 ms run alone on the core.
    expect(r.done["none"]).toBeCloseTo(1000 * 1026 / 1024 + (10 - (1000 * 2) / 1024), 6);
  });

  it("an uncontended node changes nothing: each thread has a core", () => {
    const r = rig(4, [{ name: "a", request: 0.1 }, { name: "b", request: 0.1 }]);
    r.at(0, "a", 300, "a");
    r.at(0, "b", 200, "b");
    r.at(50, "b", 100, "b2");
    r.sim.run();
    expect(r.done["a"]).toBe(300);
    expect(r.done["b"]).toBe(200);
    expect(r.done["b2"]).toBe(150);
  });

  it("a container stalled on its quota leaves its share to the others", () => {
    // a: limit 0.2 core (20 ms per 100 ms), request 1 core; b: request 0.1 core. 1-core node.
    // In each period a runs at 1024/(1024+102) of the core until its 20 ms are spent, then b has it all.
    const r = rig(1, [{ name: "a", request: 1, limit: 0.2 }, { name: "b", request: 0.1 }]);
    r.at(0, "a", 1000, "a");
    r.at(0, "b", 300, "b");
    r.sim.run();
    // b's 300 ms of work: it gets 102/1126 of the core for the 22.08 ms a needs to spend its quota
    // (2 ms of work), then the whole core for the other 77.92 ms of each period: ≈ 79.92 ms per
    // period, so b ends in its 4th period.
    const aShare = 1024 / 1126;
    const tA = 20 / aShare; // a's quota spent after this long in each period
    const perPeriod = tA * (102 / 1126) + (100 - tA);
    const periods = Math.floor(300 / perPeriod);
    const left = 300 - periods * perPeriod;
    const expected = periods * 100 + (left <= tA * (102 / 1126) ? left / (102 / 1126) : tA + (left - tA * (102 / 1126)));
    expect(r.done["b"]).toBeCloseTo(expected, 4);
    expect(r.cpus.get("a")!.throttledPeriods).toBeGreaterThan(3);
  });
});
