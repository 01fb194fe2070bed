// A VirtualService destination without `port`: istiod names the cluster of the service's only port
// when it has exactly one, else the listener's port — and a port the service does not have names a
// cluster the proxy lacks (503 NC). istio/istio pilot/pkg/networking/core/route/route.go GetDestinationCluster.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, parseCallUrl } from "../../src/scenario/index.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { targetOf } from "../../src/cli/inspect-commands.js";
import { routeConfigurations } from "../../src/xds/translation/route-configurations.js";
import type { World } from "../../src/mesh/world.js";
import type { OutgoingRequest } from "../../src/mesh/transport.js";
import type { Translator } from "../../src/xds/translation/translator.js";
import { writeScenario } from "../support/scenario-text.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../../scenarios", f);

let world: World | undefined;
function w(): World {
  if (world !== undefined) return world;
  const file = writeScenario({
    "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: destination-port}
spec:
  duration: 1s
  include: [${S("security/sleep-httpbin.yaml")}]
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: foo}
spec:
  ports: [{name: http, port: 9000, targetPort: 8080}]
  selector: {app: httpbin}
---
apiVersion: v1
kind: Service
metadata: {name: multi, namespace: bar}
spec:
  ports: [{name: http, port: 9000, targetPort: 8080}, {name: http-alt, port: 9001, targetPort: 8080}]
  selector: {app: httpbin}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: to-echo, namespace: foo}
spec:
  hosts: [httpbin]
  http: [{route: [{destination: {host: echo}}]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: to-multi, namespace: bar}
spec:
  hosts: [httpbin]
  http: [{route: [{destination: {host: multi}}]}]
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
  const req: OutgoingRequest = { method: "GET", scheme: "http", authority: `${u.host}:${u.port}`, path: u.path, headers: {}, target };
  return { pod, r: world.sidecars.d.routing.route(pod, req, () => 0) };
}

describe("a destination without a port (GetDestinationCluster)", () => {
  it("a single-port service: the cluster of its only port, in the route and in CDS", () => {
    const { pod, r } = route("http://httpbin.foo:8000/get");
    expect(r.kind).toBe("cluster");
    if (r.kind !== "cluster") return;
    expect(r.destination.cluster).toBe("outbound|9000||echo.foo.svc.cluster.local");
    expect(r.cluster?.name).toBe("outbound|9000||echo.foo.svc.cluster.local");
    // The RDS the proxy holds names the same cluster.
    const t = w().translation as Translator;
    const rc = routeConfigurations(t.input(pod, w().heldBy(pod).rds)).find((c) => c.name === "8000")!;
    const vh = rc.virtualHosts.find((v) => v.name === "httpbin.foo.svc.cluster.local:8000")!;
    expect(vh.routes[0]!.destinations[0]!.cluster).toBe("outbound|9000||echo.foo.svc.cluster.local");
  });
  it("a multi-port service without the listener's port: no such cluster, 503 NC", () => {
    const { r } = route("http://httpbin.bar:8000/get");
    expect(r.kind).toBe("cluster");
    if (r.kind !== "cluster") return;
    expect(r.destination.cluster).toBe("outbound|8000||multi.bar.svc.cluster.local");
    expect(r.cluster).toBeUndefined();
  });
});
