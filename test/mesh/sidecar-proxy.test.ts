// The typed proxy object: each injected pod's istio-proxy is a Sidecar that holds what istiod pushed
// it, and what the runtime builds from that config lives on it (not in slots on Pod or maps in World).
import { describe, expect, it } from "vitest";
import { createWorld } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { Sidecar } from "../../src/mesh/sidecar/sidecar.js";
import path from "node:path";
import { loadScenario } from "../../src/scenario/index.js";

const SCENARIO = `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: sidecar-proxy}
spec:
  duration: 20s
  timeline:
  - {at: 5s, apply: {apiVersion: networking.istio.io/v1, kind: VirtualService, metadata: {name: backend}, spec: {hosts: [backend], http: [{route: [{destination: {host: backend}}], timeout: 2s}]}}}
  - {at: 10s, scale: {deployment: backend, replicas: 3}}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {ports: [{name: http, port: 8080}], selector: {app: backend}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 2
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec: {containers: [{name: backend, image: example/backend, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: example/client}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: legacy}
spec:
  selector: {matchLabels: {app: legacy}}
  template:
    metadata: {labels: {app: legacy, sidecar.istio.io/inject: "false"}}
    spec: {containers: [{name: legacy, image: example/legacy}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: client, target: "http://backend:8080/", rate: 50}
`;

describe("Sidecar: the proxy object", () => {
  it("each injected pod has one, holding the config istiod pushed it; a pod without injection has none", () => {
    const { world } = createWorld(scenarioFrom(SCENARIO));
    const pods = [...world.pods.values()];
    const client = pods.find((p) => p.workload === "client")!;
    const legacy = pods.find((p) => p.workload === "legacy")!;
    expect(legacy.proxy).toBeNull();
    expect(client.proxy).toBeInstanceOf(Sidecar);
    expect(client.proxy!.type).toBe("sidecar");
    expect(world.proxyOf(client)).toBe(client.proxy);
    expect(() => world.proxyOf(legacy)).toThrow(/no istio-proxy/);
    // Before the change, every type holds the scenario's config; explain and proxy-config read the same object.
    const x = client.proxy!.xds;
    expect(x.rds).toBe(world.config);
    expect(world.heldBy(client)).toBe(x);
    world.advance(9_000);
    // istiod pushed the VirtualService: the same object now holds the new version for RDS.
    expect(client.proxy!.xds).toBe(x);
    expect(x.rds).toBe(world.config);
    expect(x.rds.virtualServices.map((v) => v.metadata.name)).toEqual(["backend"]);
    // Routing and clusters were built from it and live on the sidecar.
    expect(client.proxy!.routing).not.toBeNull();
    expect(client.proxy!.clusters).not.toBeNull();
    expect(client.proxy!.cpu).not.toBeNull();
  });

  it("a pod started later gets a Sidecar that is not bootstrapped until istiod pushes it", () => {
    const { world } = createWorld(scenarioFrom(SCENARIO));
    world.advance(10_000);
    const added = [...world.pods.values()].find((p) => p.name === "backend-2")!;
    expect(added.proxy).toBeInstanceOf(Sidecar);
    expect(added.proxy!.xds.bootstrapped).toBe(false);
    expect(added.ready).toBe(false);
    world.advance(15_000);
    expect(added.proxy!.xds.bootstrapped).toBe(true);
    expect(added.ready).toBe(true);
  });

  it("an ingress gateway's Envoy is the same kind of proxy, of Istio's type router, and holds the Gateway's routes", () => {
    const { world } = createWorld(loadScenario(path.resolve(import.meta.dirname, "../../scenarios/bookinfo/ingress-gateway.yaml")));
    const gw = [...world.pods.values()].find((p) => p.gateway !== undefined)!;
    expect(gw.proxy).toBeInstanceOf(Sidecar);
    expect(gw.proxy!.type).toBe("router");
    expect(world.proxyOf(gw).xds.rds.gateways.length).toBeGreaterThan(0);
    const app = [...world.pods.values()].find((p) => p.workload === "productpage-v1")!;
    expect(app.proxy!.type).toBe("sidecar");
  });
});
