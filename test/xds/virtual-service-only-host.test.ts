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

let world: World | undefined;
function w(): World {
  if (world !== undefined) return world;
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
`,
  });
  world = createWorld(loadScenario(file)).world;
  return world;
}

function route(url: string) {
  const world = w();
  const pod = [...world.pods.values()].find((p) => p.workload === "sleep" && p.namespace === "foo")!;
  const u = parseCallUrl(url);
  const target = targetOf(world, pod, u);
  const req: OutgoingRequest = { method: "GET", scheme: "http", authority: u.port === undefined ? u.host : `${u.host}:${u.port}`, path: u.path, headers: {}, target };
  return world.sidecars.d.routing.route(pod, req, () => 0);
}

const cluster = (r: ReturnType<typeof route>) => (r.kind === "cluster" ? r.cluster?.name ?? "(none)" : r.kind === "external" ? r.service : `local ${r.status}`);

describe("a host only a VirtualService names", () => {
  it("is routed by it on port 80 when the VirtualService names no service", () => {
    const r = route("http://bookinfo.example/get");
    expect(cluster(r)).toBe("outbound|8000||httpbin.foo.svc.cluster.local");
    // Istio's destination_service is the upstream service, not the alias.
    expect(r.kind === "cluster" ? r.service : "").toBe("httpbin.foo.svc.cluster.local");
  });
  it("is not routed on another port: PassthroughCluster", () => {
    expect(cluster(route("http://bookinfo.example:8080/get"))).toBe("PassthroughCluster");
  });
  it("beside a service, it takes that service's ports, not 80", () => {
    expect(cluster(route("http://other.example:8000/get"))).toBe("outbound|8000||httpbin.bar.svc.cluster.local");
    expect(cluster(route("http://other.example/get"))).toBe("PassthroughCluster");
  });
});
