import { describe, expect, it } from "vitest";
import { applyResources, deleteResource } from "../../src/config/mesh-config.js";
import { diffConfig } from "../../src/config/config-diff.js";
import type { AnyResource } from "../../src/scenario/model.js";
import { emptyConfig } from "../xds/xds-harness.js";

let idx = 0;
function res(kind: string, name: string, namespace: string, spec: unknown): AnyResource {
  return { kind, apiVersion: "networking.istio.io/v1", metadata: { name, namespace, labels: {}, annotations: {}, creationIndex: idx++ }, spec } as unknown as AnyResource;
}

describe("diffConfig", () => {
  it("names the changed kinds and the FQDNs of the host-scoped resources, old and new", () => {
    const a = applyResources(emptyConfig(), [res("VirtualService", "r", "default", { hosts: ["reviews"], http: [] })]).config;
    const b = applyResources(a, [
      res("VirtualService", "r", "default", { hosts: ["ratings"], http: [] }),
      res("DestinationRule", "d", "shop", { host: "cart" }),
      res("Sidecar", "default", "shop", {}),
    ]).config;
    const d = diffConfig(a, b);
    expect([...d.kinds].sort()).toEqual(["DestinationRule", "Sidecar", "VirtualService"]);
    expect([...d.hosts].sort()).toEqual(["cart.shop.svc.cluster.local", "ratings.default.svc.cluster.local", "reviews.default.svc.cluster.local"]);
    expect([...d.sidecarNamespaces]).toEqual(["shop"]);
  });

  it("sees nothing between a snapshot and itself, and a deletion as a change", () => {
    const a = applyResources(emptyConfig(), [res("AuthorizationPolicy", "p", "default", {})]).config;
    expect(diffConfig(a, a).kinds.size).toBe(0);
    expect([...diffConfig(a, deleteResource(a, "AuthorizationPolicy", "p", "default")).kinds]).toEqual(["AuthorizationPolicy"]);
  });
});
