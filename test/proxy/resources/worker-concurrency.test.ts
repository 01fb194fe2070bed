import { describe, expect, it } from "vitest";
import { envoyConcurrency } from "../../../src/proxy/resources/worker-concurrency.js";

describe("envoyConcurrency (Istio's --concurrency for a sidecar)", () => {
  it("ProxyConfig.concurrency wins over resources", () => {
    expect(envoyConcurrency({ proxyConfigConcurrency: 4, cpuLimitCores: 1, nodeCores: 16 })).toBe(4);
  });
  it("concurrency 0 uses every core of the node", () => {
    expect(envoyConcurrency({ proxyConfigConcurrency: 0, nodeCores: 16 })).toBe(16);
    expect(envoyConcurrency({ proxyConfigConcurrency: 0, nodeCores: Infinity })).toBe(2);
  });
  it("else the CPU limit rounded up (500m ⇒ 1, 2500m ⇒ 3, 6500m ⇒ 7), else the request", () => {
    expect(envoyConcurrency({ cpuLimitCores: 0.5, nodeCores: 16 })).toBe(1);
    expect(envoyConcurrency({ cpuLimitCores: 2.5, nodeCores: 16 })).toBe(3);
    expect(envoyConcurrency({ cpuLimitCores: 6.5, cpuRequestCores: 0.1, nodeCores: 16 })).toBe(7);
    expect(envoyConcurrency({ cpuLimitCores: 2, nodeCores: 16 })).toBe(2);
    expect(envoyConcurrency({ cpuRequestCores: 1.2, nodeCores: 16 })).toBe(2);
    expect(envoyConcurrency({ cpuRequestCores: 3, nodeCores: 16 })).toBe(3);
  });
  it("nothing set: Istio's default of 2", () => {
    expect(envoyConcurrency({ nodeCores: 64 })).toBe(2);
  });
});
