import { describe, expect, it } from "vitest";
import type { DestinationRule, DestinationRuleSpec } from "../../../src/proxy/api/networking.js";
import { destinationRuleFor, effectivePolicy, subsetLabels, usesConsistentHash } from "../../../src/proxy/destination-rule.js";

let order = 0;
const dr = (name: string, namespace: string, spec: DestinationRuleSpec): DestinationRule => ({
  kind: "DestinationRule", apiVersion: "networking.istio.io/v1",
  metadata: { name, namespace, labels: {}, annotations: {}, creationIndex: order++ }, spec,
});
const HOST = "reviews.prod.svc.cluster.local";

describe("which DestinationRule applies", () => {
  it("client namespace, then the service's, then istio-system", () => {
    const root = dr("root", "istio-system", { host: "*.prod.svc.cluster.local" });
    const svc = dr("svc", "prod", { host: "reviews" });
    const client = dr("client", "test", { host: HOST });
    expect(destinationRuleFor([root, svc, client], HOST, "test", {}, "prod")?.metadata.name).toBe("client");
    expect(destinationRuleFor([root, svc, client], HOST, "other", {}, "prod")?.metadata.name).toBe("svc");
    expect(destinationRuleFor([root], HOST, "other", {}, "prod")?.metadata.name).toBe("root");
  });
  it("exportTo hides a DR from other namespaces", () => {
    const svc = dr("svc", "prod", { host: "reviews", exportTo: ["."] });
    expect(destinationRuleFor([svc], HOST, "other", {}, "prod")).toBeUndefined();
    expect(destinationRuleFor([svc], HOST, "prod", {}, "prod")?.metadata.name).toBe("svc");
  });
  it("exact host beats wildcard; a selecting workloadSelector beats no selector", () => {
    const wild = dr("wild", "prod", { host: "*.prod.svc.cluster.local" });
    const exact = dr("exact", "prod", { host: "reviews" });
    const sel = dr("sel", "prod", { host: "*.prod.svc.cluster.local", workloadSelector: { matchLabels: { app: "p" } } });
    expect(destinationRuleFor([wild, exact], HOST, "prod", {}, "prod")?.metadata.name).toBe("exact");
    expect(destinationRuleFor([wild, exact, sel], HOST, "prod", { app: "p" }, "prod")?.metadata.name).toBe("sel");
    expect(destinationRuleFor([wild, exact, sel], HOST, "prod", { app: "q" }, "prod")?.metadata.name).toBe("exact");
  });
  it("DRs for the same host in one namespace merge: subsets unioned, oldest trafficPolicy wins", () => {
    const a = dr("a", "prod", { host: "reviews", subsets: [{ name: "v1", labels: { version: "v1" } }], trafficPolicy: { loadBalancer: { simple: "RANDOM" } } });
    const b = dr("b", "prod", { host: "reviews", subsets: [{ name: "v1", labels: { version: "x" } }, { name: "v2", labels: { version: "v2" } }], trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } });
    const m = destinationRuleFor([b, a], HOST, "prod", {}, "prod");
    expect(subsetLabels(m, "v1")).toEqual({ version: "v1" });
    expect(subsetLabels(m, "v2")).toEqual({ version: "v2" });
    expect(subsetLabels(m, "v3")).toBeUndefined();
    expect(m?.spec.trafficPolicy?.loadBalancer?.simple).toBe("RANDOM");
  });
});

describe("effective traffic policy", () => {
  const rule = dr("r", "prod", {
    host: "reviews",
    trafficPolicy: {
      loadBalancer: { simple: "RANDOM" },
      connectionPool: { tcp: { maxConnections: 7 } },
      outlierDetection: { consecutive5xxErrors: 3 },
      portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: "ROUND_ROBIN" } }],
    },
    subsets: [
      { name: "v1", labels: { version: "v1" }, trafficPolicy: { connectionPool: { http: { http2MaxRequests: 1 } } } },
      { name: "v2", labels: { version: "v2" }, trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: "DISABLE" } }] } },
    ],
  });
  it("a subset block replaces the whole top-level block; other blocks are inherited", () => {
    const p = effectivePolicy(rule, "v1", 80);
    expect(p.connectionPool).toEqual({ http: { http2MaxRequests: 1 } });
    expect(p.loadBalancer).toEqual({ simple: "RANDOM" });
    expect(p.outlierDetection).toEqual({ consecutive5xxErrors: 3 });
  });
  it("port-level settings take all blocks from the port entry; omitted blocks fall back to defaults", () => {
    const p = effectivePolicy(rule, undefined, 9080);
    expect(p.loadBalancer).toEqual({ simple: "ROUND_ROBIN" });
    expect(p.connectionPool).toBeUndefined();
    expect(p.outlierDetection).toBeUndefined();
    const s = effectivePolicy(rule, "v2", 80);
    expect(s).toEqual({ tls: { mode: "DISABLE" } });
  });
});

describe("usesConsistentHash (istiod drops previous_hosts from such routes' retry policy)", () => {
  it("follows the effective policy of the subset and port, found from the service's namespace", () => {
    const hashed = dr("h", "prod", {
      host: "reviews",
      trafficPolicy: { portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { consistentHash: { httpHeaderName: "x-user" } } }] },
      subsets: [{ name: "v2", labels: { version: "v2" }, trafficPolicy: { loadBalancer: { simple: "ROUND_ROBIN" } } }],
    });
    expect(usesConsistentHash([hashed], HOST, undefined, 9080, "test", {})).toBe(true);
    expect(usesConsistentHash([hashed], HOST, undefined, 9090, "test", {})).toBe(false);
    expect(usesConsistentHash([hashed], HOST, "v2", 9080, "test", {})).toBe(false);
    expect(usesConsistentHash([], HOST, undefined, 9080, "test", {})).toBe(false);
  });
});
