// Which outbound clusters speak HTTP/2, and where max_concurrent_streams is written: MeshConfig's
// h2UpgradePolicy (mesh-wide, HTTP ports only), a DestinationRule's (UPGRADE, DO_NOT_UPGRADE, DEFAULT =
// the mesh's; useClientProtocol vetoes it), and a port left to sniffing that a sidecar never upgrades.
// istio/istio pilot/pkg/networking/core/cluster_traffic_policy.go (shouldH2Upgrade, applyH2Upgrade,
// applyConnectionPool), cluster_builder.go (buildCluster, setUpstreamProtocol, setH2Options),
// pkg/config/kube/conversion.go (ConvertProtocol), pkg/config/protocol/instance.go (IsHTTP).
// Before this revision `spec.mesh.h2UpgradePolicy` was an unknown key, a port left to sniffing was upgraded by a
// DR's UPGRADE, and no cluster carried maxConcurrentStreams.
import { describe, expect, it } from "vitest";
import { createWorld } from "../../src/runner/run-scenario.js";
import { clusterJson } from "../../src/xds/translation/envoy-json.js";
import type { Translator } from "../../src/xds/translation/translator.js";
import type { Cluster } from "../../src/proxy/config/cluster.js";
import { loadScenario } from "../../src/scenario/index.js";
import { servicePortProtocol } from "../../src/xds/translation/port-protocol.js";
import { scenarioFrom, writeScenario } from "../support/scenario-text.js";

function base(mesh: string): string {
  return `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: h2}
spec:
  duration: 1s
  mesh: {${mesh}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{name: http-web, port: 80}, {name: web, port: 81}, {name: grpc, port: 82}, {name: tcp-db, port: 83}]
  selector: {app: web}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web, ports: [{containerPort: 80}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: fortio}]}
`;
}

const dr = (http: string): string => `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web}
spec: {host: web, trafficPolicy: {connectionPool: {http: {${http}}}}}
`;

function outbound(yaml: string): Map<number, Cluster> {
  const { world } = createWorld(scenarioFrom(yaml));
  const pod = [...world.pods.values()].find((p) => p.workload === "client")!;
  const cs = (world.translation as Translator).clusters(pod, world.heldBy(pod).cds);
  return new Map(cs.filter((c) => c.direction === "outbound" && c.host === "web.default.svc.cluster.local").map((c) => [c.port, c]));
}

const http2 = (m: Map<number, Cluster>): boolean[] => [80, 81, 82, 83].map((p) => m.get(p)!.http2);

describe("h2UpgradePolicy: mesh-wide, then the DestinationRule's", () => {
  it("no policy anywhere: only the gRPC port is HTTP/2", () => {
    expect(http2(outbound(base("")))).toEqual([false, false, true, false]);
  });

  it("MeshConfig UPGRADE upgrades the ports declared HTTP, not one left to sniffing nor a TCP one", () => {
    expect(http2(outbound(base("h2UpgradePolicy: UPGRADE")))).toEqual([true, false, true, false]);
  });

  it("a DestinationRule's DO_NOT_UPGRADE overrides the mesh's UPGRADE; DEFAULT falls back to it", () => {
    expect(http2(outbound(base("h2UpgradePolicy: UPGRADE") + dr("h2UpgradePolicy: DO_NOT_UPGRADE")))).toEqual([false, false, true, false]);
    expect(http2(outbound(base("h2UpgradePolicy: UPGRADE") + dr("h2UpgradePolicy: DEFAULT")))).toEqual([true, false, true, false]);
  });

  it("a DestinationRule's UPGRADE reaches any port but one a sidecar leaves to sniffing (use_downstream_protocol is set first)", () => {
    expect(http2(outbound(base("") + dr("h2UpgradePolicy: UPGRADE")))).toEqual([true, false, true, true]);
  });

  it("useClientProtocol vetoes both upgrades", () => {
    expect(http2(outbound(base("h2UpgradePolicy: UPGRADE") + dr("useClientProtocol: true")))).toEqual([false, false, true, false]);
  });

  it("a bad mesh-wide value is an error at its position", () => {
    const f = writeScenario({ "s.yaml": base("h2UpgradePolicy: SOMETIMES") });
    expect(() => loadScenario(f)).toThrow(/s\.yaml:\d+:\d+: error: .*h2UpgradePolicy/);
  });
});

describe("maxConcurrentStreams in the cluster istiod writes", () => {
  type J = { typedExtensionProtocolOptions: Record<string, { explicitHttpConfig?: { http2ProtocolOptions: { maxConcurrentStreams?: number } } }> };
  const opts = (c: Cluster) => (clusterJson(c) as J).typedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]!;

  it("on an HTTP/2 cluster (a gRPC port, or one upgraded) in its Http2ProtocolOptions; on an HTTP/1.1 one nowhere", () => {
    const m = outbound(base("h2UpgradePolicy: UPGRADE") + dr("maxConcurrentStreams: 10"));
    expect(opts(m.get(82)!).explicitHttpConfig!.http2ProtocolOptions).toEqual({ maxConcurrentStreams: 10 });
    expect(opts(m.get(80)!).explicitHttpConfig!.http2ProtocolOptions).toEqual({ maxConcurrentStreams: 10 });
    expect(JSON.stringify(clusterJson(m.get(81)!))).not.toContain("maxConcurrentStreams");
  });

  it("absent when the DestinationRule sets none (Envoy's default, 2^31 - 1)", () => {
    expect(opts(outbound(base("")).get(82)!).explicitHttpConfig!.http2ProtocolOptions).toEqual({});
  });
});

describe("a Service port's protocol, as istiod reads it", () => {
  it("appProtocol first, then the name's prefix; kubernetes.io/h2c is HTTP2, a bare h2c name is left to sniffing", () => {
    expect(servicePortProtocol({ port: 80, name: "http2-x", protocol: "TCP" })).toBe("HTTP2");
    expect(servicePortProtocol({ port: 80, name: "grpc-web-x", protocol: "TCP" })).toBe("GRPC-Web");
    expect(servicePortProtocol({ port: 80, name: "http", protocol: "TCP", appProtocol: "kubernetes.io/h2c" })).toBe("HTTP2");
    expect(servicePortProtocol({ port: 80, name: "h2c", protocol: "TCP" })).toBe("UnsupportedProtocol");
    expect(servicePortProtocol({ port: 3306, protocol: "TCP" })).toBe("TCP");
  });
});
