// A host only a VirtualService names (not a Service, not a ServiceEntry host) still gets that
// VirtualService's routes in a sidecar: istiod writes it as a virtual-host domain on the ports of the
// registry services the same VirtualService names, or on port 80 when it names none.
// istio/istio pilot/pkg/networking/core/route/route.go separateVSHostsAndServices and
// buildSidecarVirtualHostsForVirtualService ("serviceByPort[80] = nil"); httproute.go
// BuildSidecarOutboundVirtualHosts (selectVirtualServices on ports other than 80).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, parseCallUrl } from "../../src/scenario/index.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { targetOf } from "../../src/cli/inspect-commands.js";
import type { World } from "../../src/mesh/world.js";
import type { OutgoingRequest } from "../../src/mesh/transport.js";
import { writeScenario } from "../support/scenario-text.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../../scenarios", f);

// Istio's sleep sample has a Service on port 80 (samples/sleep/sleep.yaml): with it the sidecar has
// an outbound HTTP listener on port 80 (0.0.0.0_80) whose route configuration holds the alias.
const SLEEP_SERVICE = `---
apiVersion: v1
kind: Service
metadata: {name: sleep, namespace: foo}
spec: {selector: {app: sleep}, ports: [{name: http, port: 80}]}
`;

const worlds = new Map<boolean, World>();
function w(port80 = true): World {
  const known = worlds.get(port80);
  if (known !== undefined) return known;
  const file = writeScenario({
    "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: vs-only-host}
spec:
  duration: 1s
  include: [${S("security/sleep-httpbin.yaml")}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: alias, namespace: foo}
spec:
  hosts: [bookinfo.example]
  http: [{route: [{destination: {host: httpbin, port: {number: 8000}}}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: mixed, namespace: foo}
spec:
  hosts: [httpbin, other.example]
  http: [{route: [{destination: {host: httpbin.bar.svc.cluster.local, port: {number: 8000}}}]}]
${port80 ? SLEEP_SERVICE : ""}`,
  });
  const world = createWorld(loadScenario(file)).world;
  worlds.set(port80, world);
  return world;
}

function request(url: string, port80 = true) {
  const world = w(port80);
  const pod = [...world.pods.values()].find((p) => p.workload === "sleep" && p.namespace === "foo")!;
  const u = parseCallUrl(url);
  const target = targetOf(world, pod, u);
  const req: OutgoingRequest = { method: "GET", scheme: "http", authority: u.port === undefined ? u.host : `${u.host}:${u.port}`, path: u.path, headers: {}, target };
  return { routing: world.sidecars.d.routing, pod, req };
}

function route(url: string) {
  const { routing, pod, req } = request(url);
  return routing.route(pod, req, () => 0);
}

const cluster = (r: ReturnType<typeof route>) => (r.kind === "cluster" ? r.cluster?.name ?? "(none)" : r.kind === "external" ? r.service : `local ${r.status}`);

describe("a host only a VirtualService names", () => {
  it("is routed by it on port 80 when the VirtualService names no service", () => {
    const r = route("http://bookinfo.example/get");
    expect(cluster(r)).toBe("outbound|8000||httpbin.foo.svc.cluster.local");
    // Istio's destination_service is the upstream service, not the alias.
    expect(r.kind === "cluster" ? r.service : "").toBe("httpbin.foo.svc.cluster.local");
  });
  it("without a listener on port 80 (no service port 80 in scope) its routes are unused: the catch-all TCP chain to PassthroughCluster", () => {
    // A VirtualService makes no listener (istio/istio pilot/pkg/networking/core/listener.go
    // buildSidecarOutboundListeners builds them from services): virtualOutbound's catch-all TCP chain
    // takes the connection (listener_builder.go buildOutboundCatchAllNetworkFiltersOnly).
    const { routing, pod, req } = request("http://bookinfo.example/get", false);
    const held = routing.virtualHost(pod, req);
    expect(held.vh.kind).toBe("allow-any");
    expect(routing.passthroughTcp(held)).not.toBeNull();
    const withListener = request("http://bookinfo.example/get");
    expect(withListener.routing.virtualHost(withListener.pod, withListener.req).vh.kind).toBe("virtual-service");
  });
  it("is not routed on another port: PassthroughCluster", () => {
    expect(cluster(route("http://bookinfo.example:8080/get"))).toBe("PassthroughCluster");
  });
  it("beside a service, it takes that service's ports, not 80", () => {
    expect(cluster(route("http://other.example:8000/get"))).toBe("outbound|8000||httpbin.bar.svc.cluster.local");
    expect(cluster(route("http://other.example/get"))).toBe("PassthroughCluster");
  });
});
