// The istio-waypoint GatewayClass (issue 16): what istiod renders and writes for a waypoint Gateway,
// checked against Istio's golden files pilot/pkg/config/kube/gatewaycommon/testdata/deployment/waypoint.yaml
// and pilot/pkg/config/kube/gateway/testdata/waypoint.status.yaml.golden.
import { describe, expect, it } from "vitest";
import type { GatewayApiResource, KubernetesGateway } from "../../../src/proxy/api/gateway-api.js";
import {
  generateWaypointWorkload, isWaypointGateway, waypointGatewayStatus, waypointOf, waypointsOf,
} from "../../../src/config/ambient/waypoint-gateway.js";

const POS = { file: "t.yaml", line: 1, column: 1 };
function gateway(name: string, ns: string, listeners: { name: string; port: number; protocol: string }[], labels: Record<string, string> = {}, cls = "istio-waypoint", annotations: Record<string, string> = {}): KubernetesGateway {
  return {
    kind: "KubernetesGateway", apiVersion: "gateway.networking.k8s.io/v1",
    metadata: { name, namespace: ns, labels, annotations, creationIndex: 0 },
    spec: { gatewayClassName: cls, listeners: listeners.map((l) => ({ ...l, allowedRoutes: { namespaces: { from: "Same" as const } } })) },
  };
}
const MESH = [{ name: "mesh", port: 15008, protocol: "HBONE" }];

describe("which Gateways are waypoints, and what they take", () => {
  const custom: GatewayApiResource = { kind: "GatewayClass", apiVersion: "gateway.networking.k8s.io/v1", metadata: { name: "my-waypoints", namespace: "", labels: { "istio.io/waypoint-for": "all" }, annotations: {}, creationIndex: 0 }, spec: { controllerName: "istio.io/mesh-controller" } };
  it("class istio-waypoint, or a class run by istio.io/mesh-controller; not the ingress class", () => {
    expect(isWaypointGateway(gateway("w", "ns", MESH), [])).toBe(true);
    expect(isWaypointGateway(gateway("w", "ns", MESH, {}, "my-waypoints"), [custom])).toBe(true);
    expect(isWaypointGateway(gateway("g", "ns", [{ name: "http", port: 80, protocol: "HTTP" }], {}, "istio"), [])).toBe(false);
  });
  it("waypoint-for: service by default, the GatewayClass's label, then the Gateway's", () => {
    expect(waypointOf(gateway("w", "ns", MESH), []).trafficType).toBe("service");
    expect(waypointOf(gateway("w", "ns", MESH, {}, "my-waypoints"), [custom]).trafficType).toBe("all");
    expect(waypointOf(gateway("w", "ns", MESH, { "istio.io/waypoint-for": "workload" }, "my-waypoints"), [custom]).trafficType).toBe("workload");
    expect(waypointOf(gateway("w", "ns", MESH, { "istio.io/waypoint-for": "none" }), []).trafficType).toBe("none");
  });
  it("address and attachment come from the Gateway", () => {
    expect(waypointsOf([gateway("waypoint", "default", MESH), gateway("g", "ns", [{ name: "http", port: 80, protocol: "HTTP" }], {}, "istio")]))
      .toEqual([{ name: "waypoint", namespace: "default", trafficType: "service", allowedRoutes: { from: "Same" }, address: "waypoint.default.svc.cluster.local" }]);
  });
});

describe("generateWaypointWorkload renders the waypoint template", () => {
  const { deployment, service, serviceAccountName } = generateWaypointWorkload(gateway("namespace", "default", MESH), POS);
  it("names: the Gateway's, no -<class> suffix", () => {
    expect([deployment.metadata.name, service.metadata.name, serviceAccountName]).toEqual(["namespace", "namespace", "namespace"]);
  });
  it("labels as in Istio's golden file", () => {
    expect(deployment.metadata.labels).toEqual({
      "gateway.istio.io/managed": "istio.io-mesh-controller",
      "gateway.networking.k8s.io/gateway-class-name": "istio-waypoint",
      "gateway.networking.k8s.io/gateway-name": "namespace",
    });
    expect(deployment.podLabels).toMatchObject({
      "istio.io/dataplane-mode": "none", "sidecar.istio.io/inject": "false",
      "service.istio.io/canonical-name": "namespace", "service.istio.io/canonical-revision": "latest",
      "gateway.networking.k8s.io/gateway-name": "namespace",
    });
  });
  it("Service: status-port 15021 then mesh 15008, selecting the gateway-name label, PreferClose", () => {
    expect(service.ports.map((p) => `${p.name}:${p.port}/${p.appProtocol}`)).toEqual(["status-port:15021/tcp", "mesh:15008/hbone"]);
    expect(service.selector).toEqual({ "gateway.networking.k8s.io/gateway-name": "namespace" });
    expect(service.metadata.annotations["networking.istio.io/traffic-distribution"]).toBe("PreferClose");
  });
  it("one replica, readiness every 15 s, 30 s grace, the chart's proxy resources", () => {
    expect(deployment.replicas).toBe(1);
    expect(deployment.readinessProbes).toEqual([{ initialDelayMs: 0, periodMs: 15_000, successThreshold: 1 }]);
    expect(deployment.terminationGracePeriodMs).toBe(30_000);
    expect(deployment.containers).toEqual([{ name: "istio-proxy", requests: { cpuMillis: 100, memoryBytes: 128 * 2 ** 20 }, limits: { cpuMillis: 2000, memoryBytes: 2 ** 30 } }]);
    expect(deployment.scheduling?.requests).toEqual({ cpuMillis: 100, memoryBytes: 128 * 2 ** 20 });
  });
  it("gateway.istio.io/name-override and service-account rename", () => {
    const r = generateWaypointWorkload(gateway("w", "ns", MESH, {}, "istio-waypoint", { "gateway.istio.io/name-override": "custom", "gateway.istio.io/service-account": "sa" }), POS);
    expect([r.deployment.metadata.name, r.service.metadata.name, r.serviceAccountName, r.deployment.serviceAccountName]).toEqual(["custom", "custom", "sa", "sa"]);
    expect(r.deployment.metadata.annotations).toEqual({});
  });
});

describe("waypointGatewayStatus", () => {
  it("a valid waypoint is Accepted and Programmed", () => {
    const s = waypointGatewayStatus(gateway("namespace", "ns", MESH));
    expect(s.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(["Accepted=True", "Programmed=True", "ResolvedRefs=True"]);
    expect(s.conditions[1]!.message).toBe("Resource programmed, assigned to service(s) namespace.ns.svc.cluster.local:15008");
    expect(s.listeners[0]!.conditions[0]).toEqual({ type: "Accepted", status: "True", reason: "Accepted", message: "No errors found" });
  });
  it("a listener that is not 15008/HBONE is refused (the Gateway stays Accepted)", () => {
    const s = waypointGatewayStatus(gateway("invalid", "ns", [{ name: "mesh", port: 1234, protocol: "HTTP" }]));
    expect(s.conditions[0]!.status).toBe("True");
    expect(s.listeners[0]!.conditions[0]).toEqual({ type: "Accepted", status: "False", reason: "UnsupportedProtocol", message: 'Expected a single listener on port 15008 with protocol "HBONE"' });
    const wrongProtocol = waypointGatewayStatus(gateway("w", "ns", [{ name: "mesh", port: 15008, protocol: "HTTP" }]));
    expect(wrongProtocol.listeners[0]!.conditions[0]!.status).toBe("False");
  });
});
