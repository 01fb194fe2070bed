// LEAST_REQUEST over one host owes its two draws instead of making them (proxy/lb/owed-draws.ts):
// the picks and every later number of the cluster's stream must be those of a balancer that drew.
// Envoy's N_CHOICES draws choice_count hosts with replacement and keeps the least loaded
// (envoyproxy/envoy source/extensions/load_balancing_policies/least_request/least_request_lb.cc
// unweightedHostPick); over one host both draws are that host.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RandomStreams } from "../../../src/engine/rng.js";
import { HostSet } from "../../../src/proxy/lb/host-set.js";
import { LeastRequestLoadBalancer } from "../../../src/proxy/lb/least-request.js";
import { RoundRobinLoadBalancer } from "../../../src/proxy/lb/round-robin.js";
import { owingDraws } from "../../../src/proxy/lb/owed-draws.js";

/** A stream that counts its draws. */
function counted(seed: number) {
  const s = new RandomStreams(seed).stream("lb:test");
  const c = { draws: 0, next: () => (c.draws++, s()) };
  return c;
}

describe("owed draws", () => {
  it("hand out the numbers the stream would have, after the draws owed", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 20 }), (seed, skips) => {
      const raw = counted(seed);
      const plain: number[] = [];
      for (let i = 0; i < skips.reduce((a, b) => a + b + 1, 0); i++) plain.push(raw.next());
      const o = owingDraws(counted(seed).next);
      const got: number[] = [];
      let at = 0;
      const want: number[] = [];
      for (const k of skips) {
        o.skip(k);
        at += k;
        got.push(o());
        want.push(plain[at++]!);
      }
      expect(got).toEqual(want);
    }));
  });

  it("are one per stream: the balancer that replaces another pays what it owed", () => {
    const s = counted(7).next;
    expect(owingDraws(s)).toBe(owingDraws(s));
  });

  it("leave a one-host cluster's picks, and the picks after it grows, as drawn ones", () => {
    const picks = (owing: boolean) => {
      const raw = counted(42);
      const source = owing ? owingDraws(raw.next) : raw.next;
      const out: number[] = [];
      const one = new LeastRequestLoadBalancer(new HostSet([1]), source);
      for (let i = 0; i < 50; i++) out.push(one.pick());
      const drawsWhileOne = raw.draws;
      // The cluster grows (a new host set and balancer on the same stream), then a round-robin one.
      const three = new LeastRequestLoadBalancer(new HostSet([1, 1, 1]), source);
      for (let i = 0; i < 50; i++) out.push(three.pick());
      const rr = new RoundRobinLoadBalancer(new HostSet([1, 1, 1, 1]), source);
      for (let i = 0; i < 20; i++) out.push(rr.pick());
      return { out, drawsWhileOne, last: raw.next() };
    };
    const drawn = picks(false);
    const owed = picks(true);
    expect(owed.out).toEqual(drawn.out);
    // The next number of the stream is the same: the owed draws were all made, in order.
    expect(owed.last).toBe(drawn.last);
    expect(drawn.drawsWhileOne).toBe(100);
    expect(owed.drawsWhileOne).toBe(0);
  });
});
