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
  it("else the CPU limit rounded up (500m ⇒ 1, 2500m ⇒ 3, 6500m ⇒ 7)", () => {
    expect(envoyConcurrency({ cpuLimitCores: 0.5, nodeCores: 16 })).toBe(1);
    expect(envoyConcurrency({ cpuLimitCores: 2.5, nodeCores: 16 })).toBe(3);
    expect(envoyConcurrency({ cpuLimitCores: 6.5, nodeCores: 16 })).toBe(7);
    expect(envoyConcurrency({ cpuLimitCores: 2, nodeCores: 16 })).toBe(2);
  });
  // pilot-agent reads ISTIO_CPU_LIMIT only (istio/istio pilot/cmd/pilot-agent/config/config.go,
  // ConstructProxyConfig); the injection template fills it from the downward API's limits.cpu,
  // which is the node's allocatable CPU when the container has no limit
  // (https://kubernetes.io/docs/concepts/workloads/pods/downward-api/#fallback-information).
  // A sidecar with only `sidecar.istio.io/proxyCPU` (a request) runs a worker per node core.
  it("no CPU limit: one worker per allocatable core of the node (rounded up), not the request", () => {
    expect(envoyConcurrency({ nodeCores: 16 })).toBe(16);
    expect(envoyConcurrency({ nodeCores: 3.9 })).toBe(4);
    expect(envoyConcurrency({ nodeCores: 64 })).toBe(64);
  });
  it("no limit and no known node (meshsim's node large enough for everything): the documented 2", () => {
    expect(envoyConcurrency({ nodeCores: Infinity })).toBe(2);
  });
});
