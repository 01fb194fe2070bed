// MeshConfig defaultTrafficPolicy (Istio ≥ 1.31): a mesh-wide connectionPool and outlierDetection
// under every DestinationRule, block by block. istiod seeds it under the DR's policy once its
// port-level settings are resolved (a DR that sets a block keeps its own whole: no field merge), a
// subset overrides on top as before, a service with no DR gets it all, and the server's inbound
// cluster takes the connectionPool when neither the DR nor a Sidecar sets one.
// istio/istio pilot/pkg/networking/core/cluster_traffic_policy.go (applyDefaultTrafficPolicy),
// cluster_builder.go (applyDestinationRule, buildSubsetCluster, buildInboundCluster),
// pkg/config/validation/agent/validation.go (validateMeshConfigDefaultTrafficPolicy).
// Before this revision meshsim had no such field: `spec.mesh.defaultTrafficPolicy` was an unknown key.
import { describe, expect, it } from "vitest";
import { createWorld, runScenario } from "../../src/runner/run-scenario.js";
import { clusterJson } from "../../src/xds/translation/envoy-json.js";
import type { Translator } from "../../src/xds/translation/translator.js";
import type { Cluster } from "../../src/proxy/config/cluster.js";
import { loadScenario } from "../../src/scenario/index.js";
import { scenarioFrom, writeScenario } from "../support/scenario-text.js";

const MESH = `
    defaultTrafficPolicy:
      connectionPool:
        tcp: {maxConnections: 100}
        http: {http1MaxPendingRequests: 10}
      outlierDetection: {consecutive5xxErrors: 7, interval: 5s}`;

function base(mesh = MESH): string {
  return `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: mesh-default}
spec:
  duration: 1s
  mesh:${mesh}
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
    metadata: {labels: {app: httpbin, version: v1}}
    spec: {containers: [{name: httpbin, image: httpbin, ports: [{containerPort: 8080}]}]}
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

function clustersOf(yaml: string, workload: string): Cluster[] {
  const { world } = createWorld(scenarioFrom(yaml));
  const pod = [...world.pods.values()].find((p) => p.workload === workload)!;
  return (world.translation as Translator).clusters(pod, world.heldBy(pod).cds);
}

const byName = (cs: Cluster[], name: string): Cluster => {
  const c = cs.find((x) => x.name === name);
  expect(c).toBeDefined();
  return c!;
};

const OUT = "outbound|8000||httpbin.default.svc.cluster.local";
const POOL = { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 10 } };
const OD = { consecutive5xxErrors: 7, intervalMs: 5000 };

describe("MeshConfig defaultTrafficPolicy under the DestinationRules", () => {
  it("a service with no DestinationRule gets both blocks, as Envoy's circuit breakers and outlier detection", () => {
    const c = byName(clustersOf(base(), "client"), OUT);
    expect(c.policy.connectionPool).toEqual(POOL);
    expect(c.policy.outlierDetection).toEqual(OD);
    expect(c.fromMeshConfig).toEqual(["connectionPool", "outlierDetection"]);
    const json = clusterJson(c) as { circuitBreakers: { thresholds: { maxConnections: number; maxPendingRequests: number }[] }; outlierDetection: { consecutive5xx: number } };
    expect(json.circuitBreakers.thresholds[0]!.maxConnections).toBe(100);
    expect(json.circuitBreakers.thresholds[0]!.maxPendingRequests).toBe(10);
    expect(json.outlierDetection.consecutive5xx).toBe(7);
  });

  it("without it nothing changes: no pool, no outlier detection", () => {
    const c = byName(clustersOf(base(" {}"), "client"), OUT);
    expect(c.policy).toEqual({});
    expect(c.fromMeshConfig).toBeUndefined();
  });

  it("a DR's connectionPool replaces the mesh's whole (no field merge); the unset outlierDetection is the mesh's", () => {
    const c = byName(clustersOf(base() + `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin}
spec:
  host: httpbin
  trafficPolicy:
    connectionPool: {tcp: {maxConnections: 5}}
    loadBalancer: {simple: ROUND_ROBIN}
`, "client"), OUT);
    expect(c.policy.connectionPool).toEqual({ tcp: { maxConnections: 5 } });
    expect(c.policy.outlierDetection).toEqual(OD);
    expect(c.policy.loadBalancer).toEqual({ simple: "ROUND_ROBIN" });
    expect(c.fromMeshConfig).toEqual(["outlierDetection"]);
  });

  it("seeded under the port-level settings: a portLevelSettings entry without outlierDetection gets the mesh's", () => {
    const c = byName(clustersOf(base() + `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin}
spec:
  host: httpbin
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 2}
    portLevelSettings:
    - port: {number: 8000}
      connectionPool: {http: {http2MaxRequests: 3}}
`, "client"), OUT);
    // Port level replaces the top level (the DR's outlierDetection is not inherited); the mesh fills in.
    expect(c.policy.connectionPool).toEqual({ http: { http2MaxRequests: 3 } });
    expect(c.policy.outlierDetection).toEqual(OD);
  });

  it("a subset overrides on top; a subset's portLevelSettings for the port replaces every block, the mesh's included", () => {
    const cs = clustersOf(base() + `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin}
spec:
  host: httpbin
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      connectionPool: {tcp: {maxConnections: 1}}
  - name: v1p
    labels: {version: v1}
    trafficPolicy:
      portLevelSettings:
      - port: {number: 8000}
        loadBalancer: {simple: RANDOM}
`, "client");
    const v1 = byName(cs, "outbound|8000|v1|httpbin.default.svc.cluster.local");
    expect(v1.policy.connectionPool).toEqual({ tcp: { maxConnections: 1 } });
    expect(v1.policy.outlierDetection).toEqual(OD);
    const v1p = byName(cs, "outbound|8000|v1p|httpbin.default.svc.cluster.local");
    expect(v1p.policy.connectionPool).toBeUndefined();
    expect(v1p.policy.outlierDetection).toBeUndefined();
    expect(v1p.policy.loadBalancer).toEqual({ simple: "RANDOM" });
  });

  it("the inbound cluster takes the mesh's connectionPool when no DR or Sidecar sets one (never outlierDetection)", () => {
    const ib = byName(clustersOf(base(), "httpbin"), "inbound|8080||");
    expect(ib.policy).toEqual({ connectionPool: POOL });
    expect(ib.poolFrom).toBe("MeshConfig");
    const withSidecar = byName(clustersOf(base() + `
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: httpbin}
spec:
  workloadSelector: {labels: {app: httpbin}}
  inboundConnectionPool: {tcp: {maxConnections: 9}}
`, "httpbin"), "inbound|8080||");
    expect(withSidecar.policy).toEqual({ connectionPool: { tcp: { maxConnections: 9 } } });
    expect(withSidecar.poolFrom).toBe("Sidecar");
  });

  it("a connectionPool with neither tcp nor http is an error at its position", () => {
    const f = writeScenario({ "s.yaml": base(`
    defaultTrafficPolicy:
      connectionPool: {}`) });
    expect(() => loadScenario(f)).toThrow(/s\.yaml:\d+:\d+: error: .*defaultTrafficPolicy\.connectionPool.*connection pool must have at least one field/);
  });

  it("in a run: the mesh's pool trips with no DestinationRule at all (fortio -c 3, maxConnections 1, 1 pending: 503 UO)", () => {
    const yaml = base(`
    defaultTrafficPolicy:
      connectionPool:
        tcp: {maxConnections: 1}
        http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}`) + `
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: httpbin}
spec:
  selector: {app: httpbin}
  serviceTime: {dist: constant, value: 5ms}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: fortio}
spec: {from: client, target: "http://httpbin:8000/get", connections: 3, requests: 30, qps: 0}
`;
    const out = runScenario(scenarioFrom(yaml), { seed: 1 });
    const c = out.summary.clients["fortio"]!;
    expect(c.requests).toBe(30);
    expect(c.flags["UO"] ?? 0).toBeGreaterThan(0);
    const noMesh = runScenario(scenarioFrom(yaml.replace(/defaultTrafficPolicy:[\s\S]*?maxRequestsPerConnection: 1}/, "{}")), { seed: 1 });
    expect(noMesh.summary.clients["fortio"]!.flags["UO"]).toBeUndefined();
  });
});
