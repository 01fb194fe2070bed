// istio-agent's certificate rotation point and istiod's CA on the event loop.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { CertificateAuthority, rotationTime } from "../../src/xds/certificates.js";
import { Simulator } from "../../src/engine/simulator.js";
import { Pod } from "../../src/mesh/kube/pod.js";

const H = 3_600_000;

describe("certificate rotation", () => {
  it("happens when half the lifetime (± 1% of it) remains, whatever the jitter draw", () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.integer({ min: 60_000, max: 90 * 24 * H }), (u, ttl) => {
      const t = rotationTime(0, ttl, u);
      expect(t).toBeGreaterThanOrEqual(0.49 * ttl - 1e-6);
      expect(t).toBeLessThanOrEqual(0.51 * ttl + 1e-6);
    }));
    expect(rotationTime(1000, 24 * H, 0.5)).toBe(1000 + 12 * H);
  });

  it("renews every ~12 h of a 24 h certificate while istiod is up, and lets it expire while istiod is down", () => {
    const sim = new Simulator();
    let up = true;
    const issued: number[] = [];
    const expired: number[] = [];
    const ca = new CertificateAuthority(sim, 24 * H, () => 0.5, () => up, {
      issued: (_p, c) => issued.push(c.notBeforeMs),
      expired: (_p, now) => expired.push(now),
    });
    const pod = new Pod("p-0", "default", "p", {}, {}, "default", true, "10.0.0.1");
    ca.request(pod);
    sim.run(30 * H);
    expect(issued).toEqual([0, 12 * H, 24 * H]);
    expect(expired).toEqual([]);
    const k = sim.on(() => (up = false));
    sim.at(30 * H, k);
    sim.run(60 * H);
    // The rotation due at 36 h fails; the certificate issued at 24 h expires at 48 h.
    expect(expired).toEqual([48 * H]);
    expect(pod.certNotAfter).toBe(48 * H);
    up = true;
    ca.retryWaiting();
    expect(ca.certificateOf(pod)!.notBeforeMs).toBe(60 * H);
    expect(pod.certNotAfter).toBe(84 * H);
  });
});
