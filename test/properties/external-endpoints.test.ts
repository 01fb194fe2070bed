// A ServiceEntry's endpoints as a cluster: the balancer's in-flight counts stay true, and each
// endpoint answers after its own round trip.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ExternalEndpoints } from "../../src/mesh/sidecar/external-endpoints.js";
import { seededSource } from "./arbitraries/lb.js";
import type { LoadBalancerSettings } from "../../src/proxy/api/networking.js";

type LbSimple = NonNullable<LoadBalancerSettings["simple"]>;

const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `192.0.2.${i + 1}`, weight: 1, labels: {} }));

describe("ServiceEntry endpoints", () => {
  it("every pick is of an endpoint of the entry, and once all requests are done none is counted in flight", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.array(fc.boolean(), { maxLength: 60 }), fc.constantFrom<LbSimple | undefined>(undefined, "ROUND_ROBIN", "RANDOM", "LEAST_REQUEST"), (n, seed, ops, simple) => {
        const trips = Array.from({ length: n }, (_, i) => () => 10 * (i + 1));
        const eps = new ExternalEndpoints(hosts(n), trips, trips.map(() => false), simple === undefined ? undefined : { simple }, seededSource(seed));
        const open: number[] = [];
        for (const pick of ops) {
          if (pick || open.length === 0) {
            const i = eps.pick();
            expect(i).toBeGreaterThanOrEqual(0);
            expect(i).toBeLessThan(n);
            expect(eps.roundTrip(i)).toBe(10 * (i + 1));
            open.push(i);
          } else eps.done(open.shift()!);
        }
        for (let i = 0; i < n; i++) expect(eps.inFlight(i)).toBe(open.filter((j) => j === i).length);
        for (const i of open) eps.done(i);
        for (let i = 0; i < n; i++) expect(eps.inFlight(i)).toBe(0);
        // With nothing left in flight every endpoint is chosen again.
        const seen = new Set<number>();
        for (let k = 0; k < 50 * n; k++) { const i = eps.pick(); seen.add(i); eps.done(i); }
        expect(seen.size).toBe(n);
      }),
      { numRuns: 60 },
    );
  });

  it("ROUND_ROBIN visits each endpoint once per turn", () => {
    const trips = [() => 1, () => 2, () => 3];
    const eps = new ExternalEndpoints(hosts(3), trips, [false, false, false], { simple: "ROUND_ROBIN" }, seededSource(1));
    const counts = [0, 0, 0];
    for (let k = 0; k < 30; k++) counts[eps.pick()]!++;
    expect(counts).toEqual([10, 10, 10]);
  });
});
