import { describe, expect, it } from "vitest";
import { createLoadBalancer } from "../../../src/proxy/lb/create-load-balancer.js";
import { HostSet } from "../../../src/proxy/lb/host-set.js";
import type { LbHost } from "../../../src/proxy/lb/host.js";
import { LeastRequestLoadBalancer } from "../../../src/proxy/lb/least-request.js";
import { NO_HOST } from "../../../src/proxy/lb/load-balancer.js";
import { MaglevLoadBalancer } from "../../../src/proxy/lb/maglev.js";
import { RandomLoadBalancer } from "../../../src/proxy/lb/random.js";
import { RingHashLoadBalancer } from "../../../src/proxy/lb/ring-hash.js";
import { RoundRobinLoadBalancer } from "../../../src/proxy/lb/round-robin.js";
import { SlowStart } from "../../../src/proxy/lb/slow-start.js";
import { hash52 } from "../../../src/proxy/lb/hash.js";
import { seededSource } from "../../properties/arbitraries/lb.js";

const hosts = (weights: number[]): LbHost[] => weights.map((w, i) => ({ id: `h${i}`, weight: w, labels: {} }));
const counts = (n: number, picks: number, pick: () => number): number[] => {
  const c = new Array<number>(n).fill(0);
  for (let i = 0; i < picks; i++) c[pick()]!++;
  return c;
};
/** A source that replays the given values. */
const replay = (...xs: number[]) => {
  let i = 0;
  return () => xs[i++ % xs.length]!;
};

describe("createLoadBalancer (Istio defaults)", () => {
  const set = new HostSet(hosts([1, 1]));
  it.each([
    [undefined, "LEAST_REQUEST"],
    [{ simple: "UNSPECIFIED" as const }, "LEAST_REQUEST"],
    [{ simple: "LEAST_CONN" as const }, "LEAST_REQUEST"],
    [{ simple: "ROUND_ROBIN" as const }, "ROUND_ROBIN"],
    [{ simple: "RANDOM" as const }, "RANDOM"],
    [{ simple: "PASSTHROUGH" as const }, "PASSTHROUGH"],
    [{ consistentHash: { httpHeaderName: "x-user" } }, "RING_HASH"],
    [{ consistentHash: { useSourceIp: true, maglev: {} } }, "MAGLEV"],
  ])("%j ⇒ %s", (settings, policy) => {
    expect(createLoadBalancer(settings, set, seededSource(1)).policy).toBe(policy);
  });
});

describe("ROUND_ROBIN", () => {
  it("cycles through healthy hosts in order from some start", () => {
    // The start is the balancer's random seed (a 32-bit draw, here 2^31) modulo the hosts: 2.
    const lb = new RoundRobinLoadBalancer(new HostSet(hosts([1, 1, 1])), replay(0.5));
    const seq = Array.from({ length: 6 }, () => lb.pick());
    expect(seq).toEqual([2, 0, 1, 2, 0, 1]);
  });
  it("skips an unhealthy host", () => {
    const set = new HostSet(hosts([1, 1, 1]));
    const lb = new RoundRobinLoadBalancer(set, replay(0));
    set.setHealthy(1, false);
    expect(Array.from({ length: 4 }, () => lb.pick())).toEqual([0, 2, 0, 2]);
  });
  it("weighted: smooth EDF schedule 3:1 gives each window of 4 picks three of host 0", () => {
    const lb = new RoundRobinLoadBalancer(new HostSet(hosts([3, 1])), replay(0));
    const seq = Array.from({ length: 8 }, () => lb.pick());
    expect(seq.filter((h) => h === 0).length).toBe(6);
    expect(seq.slice(0, 4).filter((h) => h === 1).length).toBe(1);
  });
});

describe("LEAST_REQUEST", () => {
  it("P2C: of the two draws the one with fewer active requests wins", () => {
    const set = new HostSet(hosts([1, 1, 1, 1]));
    set.active.set([5, 0, 3, 3]);
    // draws: host 0 then host 1 → 1; host 2 then host 3 (tie) → keeps the first, 2
    const lb = new LeastRequestLoadBalancer(set, replay(0.0, 0.3, 0.5, 0.8));
    expect(lb.pick()).toBe(1);
    expect(lb.pick()).toBe(2);
  });
  it("P2C draws with replacement: both draws on the busier host pick it", () => {
    const set = new HostSet(hosts([1, 1]));
    set.active.set([9, 0]);
    const lb = new LeastRequestLoadBalancer(set, replay(0.1, 0.2));
    expect(lb.pick()).toBe(0);
  });
  it("weighted: EDF with weight/(active+1) sends new requests away from a loaded heavy host", () => {
    const set = new HostSet(hosts([2, 1]));
    set.active.set([3, 0]); // dynamic weights 2/4 = 0.5 vs 1/1 = 1
    const lb = new LeastRequestLoadBalancer(set, replay(0));
    const c = counts(2, 300, () => lb.pick());
    expect(c[1]!).toBeGreaterThan(c[0]!);
  });
});

describe("RANDOM", () => {
  it("is uniform over healthy hosts and ignores weights", () => {
    const lb = new RandomLoadBalancer(new HostSet(hosts([10, 1])), seededSource(7));
    const c = counts(2, 4000, () => lb.pick());
    expect(Math.abs(c[0]! - 2000)).toBeLessThan(200);
  });
});

describe("panic threshold and no healthy host", () => {
  it("panic disabled (0): all hosts ejected ⇒ NO_HOST (503 UH)", () => {
    const set = new HostSet(hosts([1, 1]));
    set.setHealthy(0, false);
    set.setHealthy(1, false);
    expect(new RoundRobinLoadBalancer(set, seededSource(1), 0).pick()).toBe(NO_HOST);
  });
  it("Envoy's 50 %: below half healthy, balance over all hosts", () => {
    const set = new HostSet(hosts([1, 1, 1, 1]));
    set.setHealthy(0, false);
    set.setHealthy(1, false);
    set.setHealthy(2, false);
    const lb50 = new RandomLoadBalancer(set, seededSource(3), 50);
    const c = counts(4, 400, () => lb50.pick());
    expect(c.every((x) => x > 0)).toBe(true);
    const lb0 = new RandomLoadBalancer(set, seededSource(3), 0);
    expect(counts(4, 100, () => lb0.pick())).toEqual([0, 0, 0, 100]);
  });
  it("an empty set has no host", () => {
    expect(createLoadBalancer(undefined, new HostSet([]), seededSource(1)).pick()).toBe(NO_HOST);
  });
});

describe("retry host predicate (previous_hosts)", () => {
  it("re-picks up to maxAttempts times to avoid a host, then accepts it", () => {
    const set = new HostSet(hosts([1, 1]));
    const lb = new RandomLoadBalancer(set, seededSource(11));
    // Six uniform draws over two hosts all land on host 0 with probability 1/64: about 10 of 640
    // picks keep it (the last draw is accepted), against 320 without the predicate.
    const zeros = counts(2, 640, () => lb.pick({ avoid: (h) => h === 0 }))[0]!;
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThan(30);
    let calls = 0;
    const h = lb.pick({ avoid: () => (calls++, true), maxAttempts: 5 });
    expect(calls).toBe(6);
    expect(h).toBeGreaterThanOrEqual(0);
  });
});

// Envoy keeps one round-robin position per host list (rr_indexes_ keyed by HostsSource), so the
// picks that land in one locality cycle through its hosts whatever the other localities' picks
// were (round_robin_lb.h unweightedHostPick). One position shared by all lists (meshsim before)
// made a locality's run depend on the picks in between: the same host twice in a row.
describe("ROUND_ROBIN keeps one position per host list", () => {
  it("picks within one locality strictly alternate between its two hosts", () => {
    const at = (locality: string, i: number): LbHost => ({ id: `${locality}#${i}`, weight: 1, locality, labels: {} });
    const set = new HostSet([at("r1/z1/s1", 0), at("r1/z1/s1", 1), at("r1/z2/s1", 2), at("r1/z2/s1", 3)], {
      clientLocality: "r1/z1/s1",
      setting: { distribute: [{ from: "r1/z1/*", to: { "r1/z1/*": 50, "r1/z2/*": 50 } }] },
    });
    const lb = new RoundRobinLoadBalancer(set, seededSource(11));
    const inZone1: number[] = [];
    for (let k = 0; k < 400; k++) {
      const h = lb.pick();
      if (h < 2) inZone1.push(h);
    }
    expect(inZone1.length).toBeGreaterThan(150);
    for (let k = 1; k < inZone1.length; k++) expect(inZone1[k]).not.toBe(inZone1[k - 1]);
  });
});

describe("slow start", () => {
  it("a host that just became available gets about minWeightPercent of its share, rising with time", () => {
    const set = new HostSet(hosts([1, 1]));
    set.markAvailable(1, 1000);
    const lb = new RoundRobinLoadBalancer(set, seededSource(5), 50, new SlowStart(10_000));
    const early = counts(2, 1100, () => lb.pick({ now: 1000 }));
    expect(early[1]! / 1100).toBeLessThan(0.12); // 0.1/(1+0.1) ≈ 9 %
    const set2 = new HostSet(hosts([1, 1]));
    set2.markAvailable(1, 1000);
    const lb2 = new RoundRobinLoadBalancer(set2, seededSource(5), 50, new SlowStart(10_000));
    const mid = counts(2, 1500, () => lb2.pick({ now: 6000 }));
    expect(mid[1]! / 1500).toBeGreaterThan(0.3); // 0.5/(1.5) ≈ 33 %
    expect(lb2.pick({ now: 11_000 }) >= 0).toBe(true);
  });
  // Envoy decides EDF or the unweighted pick when it refreshes the host lists (a host or health
  // change), and keeps the EDF after every window has passed until the next refresh
  // (EdfLoadBalancerBase::refresh, envoyproxy/envoy source/common/upstream/load_balancer_impl.cc).
  // With no requests active, LEAST_REQUEST's EDF (weights 1/(active+1), all equal) cycles through
  // the hosts, each exactly once per round; P2C draws at random.
  it("LEAST_REQUEST keeps its EDF past the window until the hosts or their health change", () => {
    const set = new HostSet(hosts([1, 1, 1]));
    set.markAvailable(2, 0);
    const lb = new LeastRequestLoadBalancer(set, seededSource(7), 50, new SlowStart(10_000));
    lb.pick({ now: 5000 }); // in the window: EDF
    // Each host once per round, give or take the phase the pre-picks left (createWithPicks).
    const after = counts(3, 300, () => lb.pick({ now: 60_000 }));
    expect(Math.max(...after) - Math.min(...after)).toBeLessThanOrEqual(2);
    // A health change refreshes: no host in its window any more, so P2C (random counts).
    set.setHealthy(0, false);
    set.setHealthy(0, true);
    const p2c = counts(3, 300, () => lb.pick({ now: 60_000 }));
    expect(Math.max(...p2c) - Math.min(...p2c)).toBeGreaterThan(2);
    expect(p2c.reduce((a, b) => a + b, 0)).toBe(300);
  });
  it("createLoadBalancer passes warmup's minimumPercent and aggression to slow start (Istio setWarmup)", () => {
    const share = (settings: Parameters<typeof createLoadBalancer>[0], now: number) => {
      const set = new HostSet(hosts([1, 1]));
      set.markAvailable(1, 0);
      const lb = createLoadBalancer(settings, set, seededSource(3));
      return counts(2, 3000, () => lb.pick({ now }))[1]! / 3000;
    };
    // At 1 s of 10 s: weight max(50 %, 0.1) = 0.5 ⇒ a third; with the default 10 %: ≈ 9 %.
    expect(share({ simple: "ROUND_ROBIN", warmupDurationSecs: 10, warmupMinimumPercent: 50 }, 1000)).toBeCloseTo(1 / 3, 1);
    expect(share({ simple: "ROUND_ROBIN", warmupDurationSecs: 10 }, 1000)).toBeLessThan(0.12);
    // At 2.5 s: aggression 2 ⇒ 0.25^(1/2) = 0.5 ⇒ a third; aggression 1 ⇒ 0.25/1.25 = 20 %.
    expect(share({ simple: "ROUND_ROBIN", warmupDurationSecs: 10, warmupAggression: 2 }, 2500)).toBeCloseTo(1 / 3, 1);
    expect(share({ simple: "ROUND_ROBIN", warmupDurationSecs: 10 }, 2500)).toBeCloseTo(0.2, 1);
  });
  it("factor is max(10 %, elapsed/window)", () => {
    const set = new HostSet(hosts([1]));
    set.markAvailable(0, 0);
    const s = new SlowStart(10_000);
    expect(s.factor(set, 0, 500)).toBeCloseTo(0.1);
    expect(s.factor(set, 0, 4000)).toBeCloseTo(0.4);
    expect(s.factor(set, 0, 10_000)).toBe(1);
  });
});

describe("RING_HASH", () => {
  it("ring has at least minimumRingSize entries with equal shares per host", () => {
    const set = new HostSet(hosts([1, 1, 1]));
    const lb = new RingHashLoadBalancer(set, seededSource(1), 50, 1024);
    const c = counts(3, 3000, () => lb.pick({ hash: hash52(String(Math.random())) }));
    for (const x of c) expect(x).toBeGreaterThan(700);
  });
  it("weights 3:1 give about 75 % / 25 % of keys", () => {
    const lb = new RingHashLoadBalancer(new HostSet(hosts([3, 1])), seededSource(1));
    let zero = 0;
    for (let i = 0; i < 4000; i++) if (lb.pick({ hash: hash52(`k${i}`) }) === 0) zero++;
    expect(zero / 4000).toBeGreaterThan(0.68);
    expect(zero / 4000).toBeLessThan(0.82);
  });
  it("a retry with a host predicate moves to the next ring entry", () => {
    const lb = new RingHashLoadBalancer(new HostSet(hosts([1, 1])), seededSource(1));
    const first = lb.pick({ hash: 12345 });
    expect(lb.pick({ hash: 12345, avoid: (h) => h === first })).not.toBe(first);
  });
});

describe("MAGLEV", () => {
  it("fills the table in proportion to weight and is consistent per key", () => {
    const set = new HostSet(hosts([1, 2, 1]));
    const lb = new MaglevLoadBalancer(set, seededSource(1), 50, 65537);
    let one = 0;
    for (let i = 0; i < 4000; i++) {
      const h = lb.pick({ hash: hash52(`k${i}`) });
      if (h === 1) one++;
      expect(lb.pick({ hash: hash52(`k${i}`) })).toBe(h);
    }
    expect(one / 4000).toBeGreaterThan(0.45);
    expect(one / 4000).toBeLessThan(0.55);
  });
});

describe("PASSTHROUGH", () => {
  it("returns the original destination and nothing else", () => {
    const lb = createLoadBalancer({ simple: "PASSTHROUGH" }, new HostSet(hosts([1, 1, 1])), seededSource(1));
    expect(lb.pick({ originalHost: 2 })).toBe(2);
    expect(lb.pick()).toBe(NO_HOST);
  });
});
