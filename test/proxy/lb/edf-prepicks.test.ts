// Envoy builds each weighted host list's EDF as if the balancer's seed_ picks had already been made
// (EdfLoadBalancerBase::refresh → EdfScheduler::createWithPicks(hosts, hostWeight, seed_);
// envoyproxy/envoy source/extensions/load_balancing_policies/common/load_balancer_impl.cc and
// source/common/upstream/edf_scheduler.h), seed_ being one random draw per balancer, reused at every
// rebuild. So a balancer starts anywhere in the weighted cycle, and after a health change restarts
// at the same phase.
import { describe, expect, it } from "vitest";
import { EdfScheduler, type EdfWeights } from "../../../src/proxy/lb/edf-scheduler.js";
import { HostSet } from "../../../src/proxy/lb/host-set.js";
import type { LbHost } from "../../../src/proxy/lb/host.js";
import { RoundRobinLoadBalancer } from "../../../src/proxy/lb/round-robin.js";
import { seededSource } from "../../properties/arbitraries/lb.js";

const hosts = (weights: number[]): LbHost[] => weights.map((w, i) => ({ id: `h${i}`, weight: w, labels: {} }));
const fixed = (w: number[]): EdfWeights => ({ edfWeight: (h) => w[h]! });

describe("EdfScheduler.withPicks (Envoy createWithPicks)", () => {
  const ids = (w: number[]) => w.map((_, i) => i);
  const slowly = (w: number[], p: number) => {
    const s = new EdfScheduler(w.length);
    for (const h of ids(w)) s.add(h, w[h]!);
    for (let k = 0; k < p; k++) s.pickAndAdd(fixed(w), 0);
    return s;
  };
  const next = (s: EdfScheduler, w: number[], n: number) => Array.from({ length: n }, () => s.pickAndAdd(fixed(w), 0));
  // Envoy's edf_scheduler_test.cc checks createWithPicks against picks made one by one.
  it.each([
    [[1, 2, 3], 1000],
    [[3.3, 1.7, 4.1, 1.3, 5.9], 4321],
    [[0.5, 1, 1], 99],
  ])("weights %j after %i picks: the same next picks as a scheduler picked that often", (w, p) => {
    expect(next(EdfScheduler.withPicks(ids(w), fixed(w), 0, p), w, 60)).toEqual(next(slowly(w, p), w, 60));
  });
  // Where deadlines tie, Envoy's emulation may break the tie the other way ("entries with the same
  // weight may be chosen a bit differently"): the shares stay those of the schedule.
  it.each([
    [[25, 75], 23],
    [[1, 9], 7],
    [[3, 1, 4, 1, 5], 4321],
  ])("weights %j after %i picks: each host's picks within one of the one-by-one schedule's", (w, p) => {
    const count = (xs: number[]) => w.map((_, h) => xs.filter((x) => x === h).length);
    const fast = count(next(EdfScheduler.withPicks(ids(w), fixed(w), 0, p), w, 200));
    const slow = count(next(slowly(w, p), w, 200));
    for (let h = 0; h < w.length; h++) expect(Math.abs(fast[h]! - slow[h]!)).toBeLessThanOrEqual(1);
  });
  it("takes the pick count mod 429496729 (UINT32_MAX / 10), as Envoy does", () => {
    const w = [1, 2, 3];
    const a = next(EdfScheduler.withPicks(ids(w), fixed(w), 0, 4_000_000_000), w, 30);
    const b = next(EdfScheduler.withPicks(ids(w), fixed(w), 0, 4_000_000_000 % 429496729), w, 30);
    expect(a).toEqual(b);
  });
});

describe("weighted ROUND_ROBIN starts anywhere in its cycle", () => {
  it("weights 1:9 — the light host takes a balancer's first pick about 1 time in 10", () => {
    // Picking from a fresh EDF, the light host's first turn is the 9th or 10th pick; meshsim
    // advanced a fresh EDF by fewer picks than hosts (0 or 1 here), so a balancer's first pick
    // never went to the light host.
    let light = 0;
    const runs = 2000;
    for (let seed = 1; seed <= runs; seed++) {
      const lb = new RoundRobinLoadBalancer(new HostSet(hosts([1, 9])), seededSource(seed));
      if (lb.pick() === 0) light++;
    }
    expect(light / runs).toBeGreaterThan(0.07);
    expect(light / runs).toBeLessThan(0.13);
  });

  it("a health change rebuilds the EDF at the same phase (one seed_ per balancer)", () => {
    for (let seed = 1; seed <= 20; seed++) {
      const set = new HostSet(hosts([1, 2, 3]));
      const lb = new RoundRobinLoadBalancer(set, seededSource(seed));
      const first = Array.from({ length: 12 }, () => lb.pick());
      set.setHealthy(1, false);
      lb.pick();
      set.setHealthy(1, true);
      const again = Array.from({ length: 12 }, () => lb.pick());
      expect(again).toEqual(first);
    }
  });
});

describe("EDF or unweighted pick: decided per host list", () => {
  // EdfLoadBalancerBase::refresh checks hostWeightsAreEqual(hosts) for each HostsSource's own list
  // (envoyproxy/envoy source/extensions/load_balancing_policies/common/load_balancer_impl.cc):
  // when the one differently weighted host is unhealthy, the healthy list's weights are equal and
  // least request goes back to P2C. meshsim looked at the weights of all the cluster's hosts.
  it("weights 1, 1, 3 with the heavy host ejected: the healthy hosts get P2C, not an EDF", async () => {
    const { LeastRequestLoadBalancer } = await import("../../../src/proxy/lb/least-request.js");
    const set = new HostSet(hosts([1, 1, 3]));
    set.setHealthy(2, false);
    const lb = new LeastRequestLoadBalancer(set, seededSource(11), 0);
    const seq = Array.from({ length: 200 }, () => lb.pick());
    expect(seq.every((h) => h === 0 || h === 1)).toBe(true);
    // With no request active, an EDF over weights 1/(0+1) alternates strictly; P2C repeats a host
    // about half the time.
    let repeats = 0;
    for (let k = 1; k < seq.length; k++) if (seq[k] === seq[k - 1]) repeats++;
    expect(repeats).toBeGreaterThan(50);
    // Back to health: the list of all three differs in weight, so the EDF (3 : 1 : 1) runs.
    set.setHealthy(2, true);
    const after = Array.from({ length: 500 }, () => lb.pick());
    expect(after.filter((h) => h === 2).length).toBe(300);
  });
});
