// A Sidecar's egress hosts scope CONFIG by namespace, not only services: a VirtualService is imported
// only when one of its hosts is admitted in the VirtualService's own namespace (or "*"), and a "~"
// entry excludes the hosts it names. istio/istio pilot/pkg/model/virtualservice.go SelectVirtualServices,
// pilot/pkg/model/sidecar.go (convertIstioListenerToWrapper, selectServices, hostClassification.Excluded).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { egressExcludes, egressImportsVirtualService } from "../../src/config/sidecar-scope.js";
import { loadScenario, parseCallUrl } from "../../src/scenario/index.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { targetOf } from "../../src/cli/inspect-commands.js";
import type { VirtualService } from "../../src/proxy/api/networking.js";
import type { OutgoingRequest } from "../../src/mesh/transport.js";
import { writeScenario } from "../support/scenario-text.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../../scenarios", f);

function vs(namespace: string, hosts: string[]): VirtualService {
  return { kind: "VirtualService", apiVersion: "networking.istio.io/v1", metadata: { name: "v", namespace, labels: {}, annotations: {}, creationIndex: 0 }, spec: { hosts } } as unknown as VirtualService;
}

describe("egressImportsVirtualService (SelectVirtualServices)", () => {
  const bar = "httpbin.bar.svc.cluster.local";
  it("admits a VirtualService by ITS namespace: bar/* does not import foo's VirtualService for a bar host", () => {
    expect(egressImportsVirtualService(["bar/*"], vs("foo", [bar]), "foo")).toBe(false);
    expect(egressImportsVirtualService(["bar/*"], vs("bar", [bar]), "foo")).toBe(true);
    expect(egressImportsVirtualService(["bar/*", "./*"], vs("foo", [bar]), "foo")).toBe(true);
    expect(egressImportsVirtualService(["*/httpbin.bar.svc.cluster.local"], vs("foo", [bar]), "foo")).toBe(true);
  });
  it("resolves short VirtualService hosts in the VirtualService's namespace", () => {
    expect(egressImportsVirtualService(["bar/httpbin.bar.svc.cluster.local"], vs("bar", ["httpbin"]), "foo")).toBe(true);
    expect(egressImportsVirtualService(["bar/httpbin.foo.svc.cluster.local"], vs("bar", ["httpbin"]), "foo")).toBe(false);
  });
  it("matches wildcards both ways (host.Matches), and exact hosts only when equal", () => {
    expect(egressImportsVirtualService(["*/*.example.com"], vs("foo", ["api.example.com"]), "foo")).toBe(true);
    expect(egressImportsVirtualService(["*/api.example.com"], vs("foo", ["*.example.com"]), "foo")).toBe(true);
    expect(egressImportsVirtualService(["*/api.example.com"], vs("foo", ["web.example.com"]), "foo")).toBe(false);
  });
  it("skips a host a ~ entry excludes; another host may still import it", () => {
    expect(egressImportsVirtualService(["*/*", "~/api.example.com"], vs("foo", ["api.example.com"]), "foo")).toBe(false);
    expect(egressImportsVirtualService(["*/*", "~/api.example.com"], vs("foo", ["api.example.com", "web.example.com"]), "foo")).toBe(true);
  });
});

describe("egressExcludes (hostClassification.Excluded)", () => {
  const h = { fqdn: "httpbin.bar.svc.cluster.local", namespace: "bar" };
  it("~ns/host excludes in ns, ~/host in every namespace, ~./host in the proxy's", () => {
    expect(egressExcludes("~bar/httpbin.bar.svc.cluster.local", h, "foo")).toBe(true);
    expect(egressExcludes("~foo/httpbin.bar.svc.cluster.local", h, "foo")).toBe(false);
    expect(egressExcludes("~/*.bar.svc.cluster.local", h, "foo")).toBe(true);
    expect(egressExcludes("~./*", h, "bar")).toBe(true);
    expect(egressExcludes("bar/*", h, "foo")).toBe(false);
  });
});

/** sleep in foo; a consumer-side VirtualService in foo for httpbin.bar answering 418; `sidecar`: its egress hosts. */
function world(egress: string[] | undefined, extra = "") {
  const sidecar = egress === undefined ? "" : `---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: foo}
spec:
  egress: [{hosts: ${JSON.stringify(egress)}}]
`;
  const file = writeScenario({
    "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: import}
spec:
  duration: 1s
  include: [${S("security/sleep-httpbin.yaml")}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin-bar, namespace: foo}
spec:
  hosts: [httpbin.bar.svc.cluster.local]
  http: [{directResponse: {status: 418}}]
${sidecar}${extra}`,
  });
  return createWorld(loadScenario(file)).world;
}

function routeFromSleep(egress: string[] | undefined, url: string, extra = "") {
  const w = world(egress, extra);
  const pod = [...w.pods.values()].find((p) => p.workload === "sleep" && p.namespace === "foo")!;
  const u = parseCallUrl(url);
  const target = targetOf(w, pod, u);
  const req: OutgoingRequest = { method: "GET", scheme: "http", authority: `${u.host}:${u.port}`, path: u.path, headers: {}, target };
  return w.sidecars.d.routing.route(pod, req, () => 0);
}

describe("a sidecar's routes follow the VirtualServices its egress imports", () => {
  it("without a Sidecar, foo's VirtualService for httpbin.bar applies (418)", () => {
    const r = routeFromSleep(undefined, "http://httpbin.bar:8000/get");
    expect(r.kind === "local" ? r.status : 0).toBe(418);
  });
  it("egress bar/* imports httpbin.bar but not foo's VirtualService: the default route to the service", () => {
    const r = routeFromSleep(["bar/*"], "http://httpbin.bar:8000/get");
    expect(r.kind).toBe("cluster");
    expect(r.kind === "cluster" ? r.destination.cluster : "").toBe("outbound|8000||httpbin.bar.svc.cluster.local");
  });
  it("egress bar/* and ./* imports both: 418", () => {
    const r = routeFromSleep(["bar/*", "./*"], "http://httpbin.bar:8000/get");
    expect(r.kind === "local" ? r.status : 0).toBe(418);
  });
  it("*/* with ~bar/httpbin.bar… leaves httpbin.bar out of scope (PassthroughCluster) and keeps httpbin.foo", () => {
    const out = routeFromSleep(["*/*", "~bar/httpbin.bar.svc.cluster.local"], "http://httpbin.bar:8000/get");
    expect(out.kind).toBe("cluster");
    expect(out.kind === "cluster" ? out.cluster?.name : "").toBe("PassthroughCluster");
    const kept = routeFromSleep(["*/*", "~bar/httpbin.bar.svc.cluster.local"], "http://httpbin.foo:8000/get");
    expect(kept.kind === "cluster" ? kept.destination.cluster : "").toBe("outbound|8000||httpbin.foo.svc.cluster.local");
  });
});

describe("services an imported VirtualService routes to join the scope (collectImportedServices)", () => {
  // foo's VirtualService for its own httpbin sends everything to httpbin.bar, which egress ./* does not list.
  const toBar = `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin-foo, namespace: foo}
spec:
  hosts: [httpbin]
  http: [{route: [{destination: {host: httpbin.bar.svc.cluster.local, port: {number: 8000}}}]}]
`;
  it("egress ./* with foo's VirtualService to httpbin.bar: the proxy has httpbin.bar's cluster", () => {
    const r = routeFromSleep(["./*"], "http://httpbin.foo:8000/get", toBar);
    expect(r.kind).toBe("cluster");
    expect(r.kind === "cluster" ? r.cluster?.name : "").toBe("outbound|8000||httpbin.bar.svc.cluster.local");
  });
  // And a VirtualService none of whose routes applies to this proxy gives no virtual host: the default
  // route takes the host (route.go BuildHTTPRoutesForVirtualService "no routes matched"), not 404 NR.
  it("a rule only for another sourceNamespace: its destination stays out, and the default route takes the host", () => {
    const other = toBar.replace("http: [{route:", "http: [{match: [{sourceNamespace: legacy}], route:");
    const r = routeFromSleep(["./*"], "http://httpbin.foo:8000/get", other);
    // The rule does not apply to foo's proxy either: the default route to httpbin.foo.
    expect(r.kind === "cluster" ? r.destination.cluster : "").toBe("outbound|8000||httpbin.foo.svc.cluster.local");
  });
});
