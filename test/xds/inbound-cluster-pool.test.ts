// The connection pool istiod writes on a server's inbound cluster (`inbound|<container port>||`):
// the service's DestinationRule connectionPool (port-level for the service port replacing the top
// level), a DR with a workloadSelector never (SidecarScope.DestinationRule skips them inbound), and
// the Sidecar's `ingress[].connectionPool` for that port, else its `inboundConnectionPool`, replacing
// the DR's whole. Only the pool: TLS, outlier detection and load balancing stay outbound.
// istio/istio pilot/pkg/networking/core/cluster_builder.go (buildInboundCluster),
// pilot/pkg/model/sidecar.go (DestinationRule, InboundConnectionPoolForPort)
// Before this revision every inbound cluster had policy {} whatever the DR said: each case fails there.
import { describe, expect, it, vi } from "vitest";
import { explainCommand } from "../../src/cli/inspect-commands.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { clusterJson } from "../../src/xds/translation/envoy-json.js";
import type { Translator } from "../../src/xds/translation/translator.js";
import type { Cluster } from "../../src/proxy/config/cluster.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { loadScenario } from "../../src/scenario/index.js";
import { writeScenario } from "../support/scenario-text.js";

const BASE = `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: inbound-pool}
spec: {duration: 1s}
---
apiVersion: v1
kind: Service
metadata: {name: httpbin}
spec:
  ports: [{name: http, port: 8000, targetPort: 8080}]
  selector: {app: httpbin}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin}
spec:
  replicas: 1
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin}}
    spec: {containers: [{name: httpbin, image: httpbin, ports: [{containerPort: 8080}]}]}
`;

const DR = `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin}
spec:
  host: httpbin
  trafficPolicy:
    connectionPool:
      tcp: {maxConnections: 3}
      http: {http1MaxPendingRequests: 4, maxRequestsPerConnection: 1, h2UpgradePolicy: UPGRADE}
    outlierDetection: {consecutive5xxErrors: 1}
    tls: {mode: ISTIO_MUTUAL}
`;

function inbound(yaml: string): Cluster {
  const { world } = createWorld(scenarioFrom(BASE + yaml));
  const pod = [...world.pods.values()].find((p) => p.workload === "httpbin")!;
  const cs = (world.translation as Translator).clusters(pod, world.heldBy(pod).cds);
  const c = cs.find((x) => x.name === "inbound|8080||");
  expect(c).toBeDefined();
  // The run's pools and the inspect commands read the same translation.
  expect((world.translation as Translator).inboundClusters(pod, world.heldBy(pod).cds)).toEqual([c]);
  return c!;
}

describe("the inbound cluster's connection pool", () => {
  it("without a DestinationRule or Sidecar pool: Istio's defaults (no policy)", () => {
    expect(inbound("").policy).toEqual({});
  });

  it("the service's DestinationRule connectionPool, and nothing else of it (no h2 upgrade inbound)", () => {
    const c = inbound(DR);
    expect(c.policy.connectionPool).toEqual({ tcp: { maxConnections: 3 }, http: { http1MaxPendingRequests: 4, maxRequestsPerConnection: 1, h2UpgradePolicy: "UPGRADE" } });
    // istiod applies the pool whole but never upgrades an inbound cluster (applyTrafficPolicy).
    expect(c.http2).toBe(false);
    expect(c.policy.outlierDetection).toBeUndefined();
    expect(c.policy.tls).toBeUndefined();
    expect(c.destinationRule).toBe("httpbin.default");
    expect(c.poolFrom).toBe("DestinationRule");
    const j = clusterJson(c) as { circuitBreakers: { thresholds: { maxConnections: number; maxPendingRequests: number }[] }; typedExtensionProtocolOptions: Record<string, { commonHttpProtocolOptions: { maxRequestsPerConnection?: number } }> };
    expect(j.circuitBreakers.thresholds[0]).toMatchObject({ maxConnections: 3, maxPendingRequests: 4 });
    expect(j.typedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]!.commonHttpProtocolOptions.maxRequestsPerConnection).toBe(1);
  });

  it("port-level settings for the service port replace the top level (blocks they omit fall to defaults)", () => {
    const c = inbound(DR.replace("    outlierDetection:", "    portLevelSettings:\n    - port: {number: 8000}\n      connectionPool: {tcp: {maxConnections: 9}}\n    outlierDetection:"));
    expect(c.policy.connectionPool).toEqual({ tcp: { maxConnections: 9 } });
  });

  it("a DestinationRule with a workloadSelector never applies inbound, even when it selects the server", () => {
    const c = inbound(DR.replace("  host: httpbin\n", "  host: httpbin\n  workloadSelector: {matchLabels: {app: httpbin}}\n"));
    expect(c.policy).toEqual({});
    expect(c.destinationRule).toBe("");
  });

  const SIDECAR = `
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: httpbin}
spec:
  workloadSelector: {labels: {app: httpbin}}
  inboundConnectionPool:
    http: {http1MaxPendingRequests: 7}
`;

  it("the Sidecar's inboundConnectionPool replaces the DestinationRule's whole (no field merged)", () => {
    const c = inbound(DR + SIDECAR);
    expect(c.policy.connectionPool).toEqual({ http: { http1MaxPendingRequests: 7 } });
    expect(c.poolFrom).toBe("Sidecar");
  });

  it("an ingress entry's connectionPool for the port wins over inboundConnectionPool", () => {
    const c = inbound(DR + SIDECAR + `  ingress:
  - port: {number: 8080, protocol: HTTP, name: http}
    defaultEndpoint: 127.0.0.1:8080
    connectionPool: {tcp: {maxConnections: 2}}
`);
    expect(c.policy.connectionPool).toEqual({ tcp: { maxConnections: 2 } });
  });

  it("an ingress entry of another port leaves inboundConnectionPool in force", () => {
    const c = inbound(DR + SIDECAR + `  ingress:
  - port: {number: 9090, protocol: HTTP, name: http}
    defaultEndpoint: 127.0.0.1:9090
    connectionPool: {tcp: {maxConnections: 2}}
`);
    expect(c.policy.connectionPool).toEqual({ http: { http1MaxPendingRequests: 7 } });
  });

  it("a Sidecar whose egress leaves out the pod's own service leaves the DR's pool off (the DR is looked up in the scope)", () => {
    const c = inbound(DR + `
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default}
spec:
  egress: [{hosts: ["istio-system/*"]}]
`);
    expect(c.policy).toEqual({});
  });
});

describe("Sidecar inbound connection pools are validated", () => {
  it("an inboundConnectionPool with neither tcp nor http is an error at its position", () => {
    const f = writeScenario({ "s.yaml": BASE + `
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: httpbin}
spec:
  inboundConnectionPool: {}
` });
    expect(() => loadScenario(f)).toThrow(/s\.yaml:\d+:\d+: error: .*inboundConnectionPool.*connection pool must have at least one field/);
  });

  it("inboundConnectionPool is read (it was ignored before), with the DestinationRule's field checks", () => {
    const yaml = BASE + `
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: httpbin}
spec:
  inboundConnectionPool: {tcp: {maxConnections: 5, connectTimeout: 2s}, http: {http1MaxPendingRequests: 1}}
`;
    const sc = scenarioFrom(yaml).sidecars[0]!;
    expect(sc.spec.inboundConnectionPool).toEqual({ tcp: { maxConnections: 5, connectTimeoutMs: 2000 }, http: { http1MaxPendingRequests: 1 } });
    const bad = writeScenario({ "s.yaml": yaml.replace("maxConnections: 5", "maxConnections: -1") });
    expect(() => loadScenario(bad)).toThrow(/s\.yaml:\d+:\d+: error: .*maxConnections/);
  });
});

describe("explain shows the server side's pool", () => {
  function explainText(yaml: string): string {
    const f = writeScenario({ "s.yaml": BASE + yaml + `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep}
spec:
  replicas: 1
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec: {containers: [{name: sleep, image: curl}]}
` });
    let out = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => { out += String(s); return true; });
    try {
      explainCommand({ scenario: f, from: "sleep", request: "GET http://httpbin:8000/get" });
    } finally {
      spy.mockRestore();
    }
    return out;
  }

  it("the DestinationRule's pool on inbound|8080||, and what overflow does", () => {
    const text = explainText(DR);
    expect(text).toMatch(/inbound\|8080\|\| connection pool \(from DestinationRule httpbin\.default, applied server-side too\): max connections 3, max pending 4, max requests unlimited, 1 request\(s\) per connection; beyond them the server's sidecar answers 503 UO/);
  });

  it("the Sidecar's when it overrides; nothing without a pool", () => {
    expect(explainText(DR + `
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: httpbin}
spec:
  workloadSelector: {labels: {app: httpbin}}
  inboundConnectionPool: {http: {http1MaxPendingRequests: 7}}
`)).toMatch(/inbound\|8080\|\| connection pool \(from the server's Sidecar, which replaces any DestinationRule's\): max connections unlimited, max pending 7/);
    const none = explainText("");
    expect(none).toContain("cluster inbound|8080||");
    expect(none).not.toContain("connection pool");
  });
});
