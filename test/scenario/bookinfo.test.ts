import { PROXY_PROFILES } from "../../src/proxy/resources/calibration-profile.js";
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadScenario } from "../../src/scenario/index.js";

const FILE = join(import.meta.dirname, "fixtures/bookinfo-min/simulation.yaml");

describe("the bookinfo-min fixture", () => {
  const s = loadScenario(FILE);

  it("loads without warnings", () => {
    expect(s.warnings).toEqual([]);
    expect(s.file).toBe(FILE);
  });

  it("reads each included file once, the glob's matches sorted", () => {
    expect(s.services.map((x) => x.metadata.name)).toEqual(["productpage", "details", "reviews", "ratings"]);
    expect(s.deployments).toHaveLength(5);
    expect(s.workloads).toHaveLength(4);
    expect(s.destinationRules.map((x) => x.metadata.name)).toEqual(["reviews"]);
    expect(s.virtualServices.map((x) => x.metadata.name)).toEqual(["reviews", "ratings"]);
    expect(s.peerAuthentications[0]!.metadata.namespace).toBe("istio-system");
    // istio/*.yaml sorted: destination-rules, peer-authentication, virtual-services.
    const order = [...s.destinationRules, ...s.peerAuthentications, ...s.virtualServices].map((r) => r.metadata.creationIndex);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it("numbers resources in global order of appearance", () => {
    expect(s.simulation.metadata.creationIndex).toBe(0);
    expect(s.loadGenerators[0]!.metadata.creationIndex).toBe(1);
    expect(s.services[0]!.metadata.creationIndex).toBe(2);
    const canary = s.simulation.timeline.find((e) => e.action.kind === "apply")!;
    const applied = canary.action.kind === "apply" ? canary.action.resources : [];
    expect(applied[0]!.metadata.creationIndex).toBeGreaterThan(s.virtualServices[1]!.metadata.creationIndex);
  });

  it("resolves a named targetPort against the selected pods' container ports", () => {
    const details = s.services.find((x) => x.metadata.name === "details")!;
    expect(details.ports[0]).toEqual({ name: "http", port: 9080, targetPort: 9081, protocol: "TCP" });
  });

  it("reads deployments with Kubernetes defaults", () => {
    const byName = Object.fromEntries(s.deployments.map((d) => [d.metadata.name, d]));
    expect(byName["productpage-v1"]!.replicas).toBe(2);
    expect(byName["details-v1"]!.replicas).toBe(1);
    expect(byName["details-v1"]!.containerPorts).toEqual([{ name: "http-web", containerPort: 9081 }]);
    expect(byName["reviews-v1"]!.serviceAccountName).toBe("bookinfo-reviews");
    expect(byName["ratings-v1"]!.serviceAccountName).toBe("default");
    expect(byName["reviews-v2"]!.terminationGracePeriodMs).toBe(5000);
    expect(byName["ratings-v1"]!.terminationGracePeriodMs).toBe(30_000);
    expect(byName["reviews-v2"]!.podAnnotations).toEqual({ "sidecar.istio.io/inject": "true" });
  });

  it("resolves calls to services in every spelling", () => {
    const pp = s.workloads.find((w) => w.metadata.name === "productpage")!;
    const par = pp.behaviour.script[1]!;
    expect(par.kind).toBe("parallel");
    const calls = par.kind === "parallel" ? par.steps : [];
    const reviews = calls[1]!.kind === "call" ? calls[1]!.call : undefined;
    expect(reviews).toMatchObject({
      to: { scheme: "http", host: "reviews", port: 9080, path: "/reviews/0", resolved: { kind: "service", fqdn: "reviews.default.svc.cluster.local" } },
      timeoutMs: 3000, retries: 0, onError: "continue", forwardHeaders: ["end-user"], method: "GET",
    });
    const v2 = s.workloads.find((w) => w.metadata.name === "reviews")!.versions["v2"]!;
    const call = v2.script![1]!;
    expect(call.kind === "call" && call.call.to.resolved).toEqual({ kind: "service", name: "ratings", namespace: "default", fqdn: "ratings.default.svc.cluster.local" });
    expect(v2.concurrency).toBeUndefined();
  });

  it("converts Istio durations to ms and keeps the rest", () => {
    const vs = s.virtualServices[0]!;
    expect(vs.spec.http![0]!.match![0]!.headers).toEqual({ "end-user": { exact: "jason" } });
    expect(vs.spec.http![1]!.timeoutMs).toBe(500);
    expect(vs.spec.http![1]!.retries).toEqual({ attempts: 2, perTryTimeoutMs: 200, retryOn: "5xx,503" });
    expect(s.virtualServices[1]!.spec.http![0]!.fault).toEqual({ delay: { fixedDelayMs: 7000, percentage: { value: 100 } } });
    const dr = s.destinationRules[0]!.spec;
    expect(dr.trafficPolicy!.connectionPool).toEqual({ tcp: { maxConnections: 100, connectTimeoutMs: 250 }, http: { http1MaxPendingRequests: 10 } });
    expect(dr.trafficPolicy!.outlierDetection).toEqual({ consecutive5xxErrors: 3, intervalMs: 5000, baseEjectionTimeMs: 30_000, maxEjectionPercent: 100 });
    expect(dr.subsets).toEqual([{ name: "v1", labels: { version: "v1" } }, { name: "v2", labels: { version: "v2" } }]);
  });

  it("sorts the timeline by time and reads apply from a file", () => {
    expect(s.simulation.timeline.map((e) => [e.atMs, e.action.kind])).toEqual([[60_000, "apply"], [90_000, "kill"], [100_000, "set"]]);
    const apply = s.simulation.timeline[0]!.action;
    expect(apply.kind === "apply" && apply.resources[0]!.kind).toBe("VirtualService");
    expect(s.simulation.timeline[1]!.action).toEqual({ kind: "kill", deployment: "reviews-v2", count: 1, namespace: "default", network: "refuse" });
  });

  it("reads the simulation's settings over the defaults", () => {
    expect(s.simulation).toMatchObject({ seed: 7, durationMs: 120_000, warmupMs: 10_000 });
    expect(s.simulation.mesh.proxy).toMatchObject({ latency: PROXY_PROFILES["istio-1.24"]!.latency, cpuPerRequestMs: 0.35, memoryBytes: 40 * 1024 * 1024, startupTime: { dist: "constant", value: 1000 } });
    // The overrides replace the profile's coefficients.
    expect(s.simulation.mesh.proxy.calibration).toMatchObject({ name: "istio-1.24", cpuPerRequestMs: 0.35, memoryBaseMB: (40 * 1024 * 1024) / 1e6 });
    expect(s.loadGenerators[0]!.open).toEqual({ rate: 50, arrival: "poisson" });
  });
});
