// Which HBONE tunnel a new connection rides: ztunnel keys its pool on WorkloadKey — source identity
// and IP, destination identities and address (pod IP:15008) — and each in-pod workload has its own pool
// (https://github.com/istio/ztunnel/blob/62d82653/src/proxy/h2/client.rs#L49-L59,
// https://github.com/istio/ztunnel/blob/62d82653/src/proxy/pool.rs#L42-L49). So replicas sharing one
// ServiceAccount still get one tunnel each, and a tunnel never carries streams to two pods.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../src/scenario/index.js";
import { createWorld } from "../../../src/runner/run-scenario.js";
import type { HboneConnection } from "../../../src/proxy/ztunnel/hbone-pool.js";

describe("HBONE tunnels in the run", () => {
  it("one tunnel per (source pod, destination pod): echo replicas sharing one identity get a tunnel each", () => {
    const made = createWorld(loadScenario(path.resolve(import.meta.dirname, "../../../scenarios/ambient/connection-skew.yaml")));
    const podsOf = new Map<HboneConnection, Set<string>>();
    const dests = new Set<string>();
    const identities = new Set<string>();
    made.world.ambient!.path.onConnection = (c) => {
      expect(c.stream).not.toBeNull();
      let s = podsOf.get(c.stream!);
      if (s === undefined) podsOf.set(c.stream!, (s = new Set()));
      s.add(`${c.from.id}->${c.dest.id}`);
      dests.add(c.dest.id);
      identities.add(c.dest.identity.principal);
    };
    made.world.advance(20_000);
    // The fortio client reached several echo pods, all with the same SPIFFE identity ...
    expect(identities.size).toBe(1);
    expect(dests.size).toBeGreaterThan(1);
    // ... and each tunnel carried streams between one pair of pods only.
    for (const pairs of podsOf.values()) expect([...pairs]).toHaveLength(1);
    expect(podsOf.size).toBeGreaterThanOrEqual(dests.size);
  });
});
