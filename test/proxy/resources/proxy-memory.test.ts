import { describe, expect, it } from "vitest";
import { DEFAULT_MEMORY_COEFFICIENTS, proxyMemoryMB } from "../../../src/proxy/resources/proxy-memory.js";

describe("proxyMemoryMB", () => {
  const c = { baseMB: 60, ...DEFAULT_MEMORY_COEFFICIENTS };
  it("is the base for an empty config and no connections", () => {
    expect(proxyMemoryMB(c, { clusters: 0, listeners: 0, endpoints: 0, routes: 0, connections: 0 })).toBe(60);
  });
  it("grows with each kind of held config and each connection by its coefficient", () => {
    const m = proxyMemoryMB(c, { clusters: 100, listeners: 10, endpoints: 1000, routes: 50, connections: 20 });
    expect(m).toBeCloseTo(60 + 100 * 0.05 + 10 * 0.08 + 1000 * 0.002 + 50 * 0.002 + 20 * 0.032, 9);
  });
  it("puts istio/istio#18954's proxy (175 listeners, 325 clusters) near its 51 MB allocated on a 20 MB idle base", () => {
    const m = proxyMemoryMB({ ...c, baseMB: 20 }, { clusters: 325, listeners: 175, endpoints: 0, routes: 0, connections: 0 });
    expect(Math.abs(m - 51)).toBeLessThan(2);
  });
});
