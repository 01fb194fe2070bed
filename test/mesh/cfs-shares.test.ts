import { describe, expect, it } from "vitest";
import { cpuShares, divideNodeCpu } from "../../src/mesh/kube/cfs-shares.js";

describe("CFS shares on a node", () => {
  it("the kubelet's shares: 1024 per core requested, at least 2", () => {
    expect(cpuShares(1)).toBe(1024);
    expect(cpuShares(0.1)).toBe(102);
    expect(cpuShares(0)).toBe(2);
  });
  it("contended: in proportion to shares", () => {
    const out = divideNodeCpu(4, [{ shares: 1024, demandCores: 10 }, { shares: 3072, demandCores: 10 }]);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(3, 12);
  });
  it("a container that needs less than its share leaves the rest to the others", () => {
    const out = divideNodeCpu(4, [{ shares: 1024, demandCores: 0.5 }, { shares: 1024, demandCores: 10 }, { shares: 2048, demandCores: 10 }]);
    expect(out[0]).toBeCloseTo(0.5, 12);
    expect(out[1]).toBeCloseTo(3.5 / 3, 12);
    expect(out[2]).toBeCloseTo(7 / 3, 12);
  });
  it("uncontended: everyone gets what they ask", () => {
    expect(divideNodeCpu(8, [{ shares: 2, demandCores: 1 }, { shares: 1024, demandCores: 2 }])).toEqual([1, 2]);
  });
});
