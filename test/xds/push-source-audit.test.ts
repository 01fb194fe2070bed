// istiod's push decisions checked against its source (docs/model.md "Control plane", "Checked against
// the source"): which proxies a namespace-scoped security resource reaches, and with which xDS types.
import { describe, expect, it } from "vitest";
import { applyResources, type MeshConfig } from "../../src/config/mesh-config.js";
import type { AnyResource } from "../../src/scenario/model.js";
import { eds, Harness, SERVICES } from "./xds-harness.js";
import { Pod } from "../../src/mesh/kube/pod.js";
import { Sidecar } from "../../src/mesh/sidecar/sidecar.js";
import { ProxyXds } from "../../src/mesh/sidecar/proxy-xds.js";

/** An ingress gateway (istiod's Router proxy type) connected with the initial config. */
function addGateway(h: Harness): Pod {
  const p = new Pod("gw-0", "istio-system", "istio-ingressgateway", { istio: "ingressgateway" }, {}, "gw", true, "10.0.9.1");
  p.gateway = "istio-system/gw";
  p.proxy = new Sidecar(p, "router", { clustersPushed: () => {}, configured: () => {} });
  p.proxy.xds = new ProxyXds(h.initial, eds(), h.initial, h.initial, true);
  h.pods.push(p);
  h.xds.set(p, p.proxy.xds);
  return p;
}

let idx = 5000;
function res(kind: string, name: string, spec: unknown, namespace: string): AnyResource {
  return { kind, apiVersion: "security.istio.io/v1", metadata: { name, namespace, labels: {}, annotations: {}, creationIndex: idx++ }, spec } as unknown as AnyResource;
}
const apply = (c: MeshConfig, ...r: AnyResource[]) => applyResources(c, r).config;

/** The types each pod got, as "pod:type" in arrival order per pod. */
function got(h: Harness): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const p of h.pods) out[`${p.namespace}/${p.name}`] = h.arrivals.filter((a) => a.pod === p.name).map((a) => a.type);
  return out;
}

describe("security resources reach the proxies that depend on their namespace", () => {
  // istio pilot/pkg/model/sidecar.go SidecarScope.DependsOnConfig: AuthorizationPolicy and
  // RequestAuthentication are clusterScopedKnownConfigTypes, a dependency only "if made in the root
  // namespace or the same namespace"; pilot/pkg/xds/proxy_dependencies.go proxyDependentOnConfig.
  it("an AuthorizationPolicy in ns1 pushes LDS to ns1's sidecars only", () => {
    const h = new Harness(4, {}, undefined, ["ns1", "ns2"]);
    h.at(0, () => h.cp.change(apply(h.initial, res("AuthorizationPolicy", "deny", { action: "DENY" }, "ns1"))));
    h.run();
    expect(got(h)).toEqual({ "ns1/p-0": ["lds"], "ns2/p-1": [], "ns1/p-2": ["lds"], "ns2/p-3": [] });
    expect(h.pushes[0]!.proxies).toBe(2);
  });

  it("a RequestAuthentication in the root namespace reaches every sidecar", () => {
    const h = new Harness(2, {}, undefined, ["ns1", "ns2"]);
    h.at(0, () => h.cp.change(apply(h.initial, res("RequestAuthentication", "jwt", { jwtRules: [{ issuer: "x" }] }, "istio-system"))));
    h.run();
    expect(got(h)).toEqual({ "ns1/p-0": ["lds"], "ns2/p-1": ["lds"] });
  });

  // sidecar.go selectAuthnPolicies: root, own and the namespaces of the services the scope imports;
  // pilot/pkg/xds/lds.go ldsNeedsPush: "PeerAuthentication of the configNamespace or rootNamespace
  // can only impact lds".
  it("a PeerAuthentication reaches the sidecars of its namespace (CDS, EDS, LDS) and those calling into it (CDS, EDS)", () => {
    // The harness's services a, b, c live in "default": every sidecar's scope imports that namespace.
    const h = new Harness(3, {}, undefined, ["ns1", "ns2", "default"]);
    h.at(0, () => h.cp.change(apply(h.initial, res("PeerAuthentication", "strict", { mtls: { mode: "STRICT" } }, "default"))));
    h.run();
    expect(got(h)).toEqual({ "ns1/p-0": ["cds", "eds"], "ns2/p-1": ["cds", "eds"], "default/p-2": ["cds", "eds", "lds"] });
  });

  it("a PeerAuthentication of a namespace with no service in a sidecar's scope does not reach it", () => {
    const h = new Harness(2, {}, undefined, ["ns1", "ns2"]);
    h.at(0, () => h.cp.change(apply(h.initial, res("PeerAuthentication", "strict", { mtls: { mode: "STRICT" } }, "ns1"))));
    h.run();
    expect(got(h)).toEqual({ "ns1/p-0": ["cds", "eds", "lds"], "ns2/p-1": [] });
  });

  // proxy_dependencies.go proxyDependentOnConfig: a Router depends on every kind but ServiceEntry
  // (checked by host) and Sidecar; lds.go keeps AuthorizationPolicy for routers, cds.go skips it.
  it("an AuthorizationPolicy of any namespace pushes LDS to the ingress gateway", () => {
    const h = new Harness(1, {}, undefined, ["ns2"]);
    addGateway(h);
    h.at(0, () => h.cp.change(apply(h.initial, res("AuthorizationPolicy", "deny", { action: "DENY" }, "ns1"))));
    h.run();
    expect(got(h)).toEqual({ "ns2/p-0": [], "istio-system/gw-0": ["lds"] });
  });
});

describe("an endpoint change is a full push for a new service or new service accounts", () => {
  // istio pilot/pkg/model/endpointshards.go UpdateServiceEndpoints: "If we create a new endpoint
  // shard, that means we have not seen the service earlier. We should do a full push", and "we need
  // to do full push if service accounts change"; pilot/pkg/xds/eds.go EDSUpdate files a FullPush as
  // a ServiceEntry change of the host (every type), an incremental one as kind Endpoints (EDS only).
  const A = SERVICES[0]!.fqdn;
  const pod = (name: string, sa: string) => new Pod(name, "default", name, { app: "a" }, {}, sa, true, `10.0.8.${idx++ % 250}`);

  it("the first endpoints of a service istiod never had endpoints for make a full push", () => {
    const h = new Harness(1);
    h.at(0, () => h.cp.endpointsChanged(eds({ [A]: [pod("a-0", "sa-a")] }), [A]));
    h.run();
    expect(h.arrivals.map((a) => a.type)).toEqual(["cds", "eds", "lds", "rds"]);
    expect(h.pushes[0]!.full).toBe(true);
  });

  it("a new service account behind a known service makes a full push; the same one an EDS push", () => {
    const first = pod("a-0", "sa-a");
    const h = new Harness(1, {}, undefined, undefined, eds({ [A]: [first] }));
    h.at(0, () => h.cp.endpointsChanged(eds({ [A]: [first, pod("a-1", "sa-a")] }), [A]));
    h.at(1000, () => h.cp.endpointsChanged(eds({ [A]: [first, pod("a-2", "sa-canary")] }), [A]));
    h.run();
    expect(h.pushes.map((p) => p.full)).toEqual([false, true]);
    expect(h.arrivals.map((a) => a.type)).toEqual(["eds", "cds", "eds", "lds", "rds"]);
  });

  it("a service that drops to no endpoints and comes back with the same accounts stays incremental", () => {
    // UpdateServiceEndpoints with no endpoints: DeleteServiceShard(..., preserveKeys=true), "we
    // should not delete the keys ... that will trigger unnecessary full push ... if a pod is in crashloop".
    const first = pod("a-0", "sa-a");
    const h = new Harness(1, {}, undefined, undefined, eds({ [A]: [first] }));
    h.at(0, () => h.cp.endpointsChanged(eds({ [A]: [] }), [A]));
    h.at(1000, () => h.cp.endpointsChanged(eds({ [A]: [first] }), [A]));
    h.run();
    expect(h.pushes.map((p) => p.full)).toEqual([false, false]);
  });
});

describe("istiod's debounce timer", () => {
  // pilot/pkg/xds/discovery.go debounce: the timer starts at a burst's first event; pushWorker pushes
  // when it fires if "eventDelay >= debounceMax || quietTime >= DebounceAfter", else sets it again
  // for DebounceAfter - quietTime. PILOT_DEBOUNCE_MAX is only looked at when the timer fires.
  const vsA = (n: number) => ({ kind: "VirtualService", apiVersion: "networking.istio.io/v1", metadata: { name: "a", namespace: "default", labels: {}, annotations: {}, creationIndex: 9000 + n }, spec: { hosts: ["a"], http: [{ route: [{ destination: { host: "a" } }] }] } }) as unknown as AnyResource;

  it("a burst that never quiets is pushed at the first timer check at or after PILOT_DEBOUNCE_MAX", () => {
    const h = new Harness(1, { pushTime: () => 0 });
    let c = h.initial;
    let n = 0;
    // A change every 40 ms: the timer fires at 100, then 80 ms after each check (the last change was
    // 20 ms before it), at 100 + 80k; the first of those at or after 10 s is 10 020 ms.
    for (let t = 0; t <= 12_000; t += 40) h.at(t, () => h.cp.change((c = apply(c, vsA(n++)))));
    h.run(10_500);
    expect(h.arrivals[0]!.t).toBe(10_020);
  });

  it("a burst that quiets is pushed PILOT_DEBOUNCE_AFTER after its last event", () => {
    const h = new Harness(1, { pushTime: () => 0 });
    let c = h.initial;
    let n = 0;
    for (const t of [0, 50, 130]) h.at(t, () => h.cp.change((c = apply(c, vsA(n++)))));
    h.run();
    expect(h.arrivals.map((a) => a.t)).toEqual([230, 230, 230]);
  });
});

describe("a connecting proxy's first config", () => {
  // pilot/pkg/xds/ads.go Stream: a new stream waits for WaitForRequestLimit (rate.NewLimiter(
  // features.RequestLimit, 1)), then its requests are answered on the stream itself (processRequest
  // → pushXds), not through pushQueue: PILOT_PUSH_THROTTLE does not hold them back.
  it("after an outage every proxy reconnects at PILOT_MAX_REQUESTS_PER_SECOND, not pushThrottle at a time", () => {
    const h = new Harness(5, { pushTime: () => 0, pushThrottle: 100, requestsPerSecond: 10 });
    h.at(0, () => h.cp.setUp(false));
    h.at(1000, () => h.cp.setUp(true));
    h.run();
    const firstCds = h.pods.map((p) => h.arrivals.find((a) => a.pod === p.name && a.type === "cds")!.t);
    expect(firstCds).toEqual([1000, 1100, 1200, 1300, 1400]);
  });

  it("is not held back by pushes that fill PILOT_PUSH_THROTTLE", () => {
    const h = new Harness(3, { pushTime: () => 1000, pushThrottle: 1, requestsPerSecond: 25 });
    // An endpoint push to the three proxies: one at a time, 1 s each (until 3100 ms).
    h.at(0, () => h.cp.endpointsChanged(eds(), [SERVICES[0]!.fqdn]));
    let p: Pod | undefined;
    h.at(500, () => (p = h.addPod()));
    h.run();
    // The new proxy's CDS arrives a quarter of its 1 s push after it connected, while the throttle is full.
    expect(h.arrivals.find((a) => a.pod === p!.name && a.type === "cds")!.t).toBe(750);
  });
});

describe("gateways and Gateway-bound VirtualServices", () => {
  // proxy_dependencies.go proxyDependentOnConfig: for a Router every kind but ServiceEntry (by host)
  // is a dependency, so a VirtualService for an external host reaches the gateway; cds.go
  // pushCdsGatewayConfig keeps Gateway for routers' CDS, eds.go skips it, lds.go and rds.go keep it.
  const gwVs = (n: number) => ({ kind: "VirtualService", apiVersion: "networking.istio.io/v1", metadata: { name: "front", namespace: "default", labels: {}, annotations: {}, creationIndex: 9500 + n }, spec: { hosts: ["shop.example.com"], gateways: ["istio-system/gw"], http: [{ route: [{ destination: { host: "a.default.svc.cluster.local" } }] }] } }) as unknown as AnyResource;
  const gw = { kind: "Gateway", apiVersion: "networking.istio.io/v1", metadata: { name: "gw", namespace: "istio-system", labels: {}, annotations: {}, creationIndex: 9600 }, spec: { selector: { istio: "ingressgateway" }, servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }] } } as unknown as AnyResource;

  it("a VirtualService for an external host bound to a Gateway reaches the gateway", () => {
    const h = new Harness(1);
    addGateway(h);
    h.at(0, () => h.cp.change(apply(h.initial, gwVs(0))));
    h.run();
    expect(got(h)["istio-system/gw-0"]).toEqual(["cds", "lds", "rds"]);
  });

  it("a Gateway change pushes CDS, LDS and RDS to gateways and nothing to sidecars", () => {
    const h = new Harness(1);
    addGateway(h);
    h.at(0, () => h.cp.change(apply(h.initial, gw)));
    h.run();
    expect(got(h)).toEqual({ "default/p-0": [], "istio-system/gw-0": ["cds", "lds", "rds"] });
  });
});

describe("a Sidecar change reaches the proxies whose scope it makes", () => {
  // sidecar.go DependsOnConfig: kind Sidecar is a sidecarScopedKnownConfigTypes, a dependency only
  // of the scope built from it (its configDependencies); proxy_dependencies.go also asks the
  // proxy's PrevSidecarScope.
  const sidecar = (ns: string, n: number, egress = "./*", selector?: Record<string, string>) => ({
    kind: "Sidecar", apiVersion: "networking.istio.io/v1",
    metadata: { name: selector ? "selected" : "default", namespace: ns, labels: {}, annotations: {}, creationIndex: 9700 + n },
    spec: { ...(selector ? { workloadSelector: { labels: selector } } : {}), egress: [{ hosts: [egress] }] },
  }) as unknown as AnyResource;

  it("a root-namespace Sidecar does not reach the proxies of a namespace with its own", () => {
    const h = new Harness(2, {}, undefined, ["ns1", "ns2"]);
    const own = apply(h.initial, sidecar("ns1", 0));
    h.at(0, () => h.cp.change(own));
    h.run(1000);
    h.arrivals.length = 0;
    h.at(1000, () => h.cp.change(apply(own, sidecar("istio-system", 1))));
    h.run();
    expect(got(h)).toEqual({ "ns1/p-0": [], "ns2/p-1": ["cds", "eds", "lds", "rds"] });
  });

  it("a Sidecar whose workloadSelector matches no proxy reaches none", () => {
    const h = new Harness(2, {}, undefined, ["ns1"]);
    h.at(0, () => h.cp.change(apply(h.initial, sidecar("ns1", 2, "./*", { app: "other" }))));
    h.run();
    expect(got(h)).toEqual({ "ns1/p-0": [], "ns1/p-1": [] });
  });
});

describe("a DestinationRule change sends the endpoints of its host only", () => {
  // pilot/pkg/xds/eds.go canSendPartialFullPushes: when every change is of a deltaAwareEdsConfigs
  // kind (Endpoints, ServiceEntry, DestinationRule, PeerAuthentication) the EDS push carries only the
  // changed services' ClusterLoadAssignments.
  it("EDS of a DestinationRule push counts the clusters of its host, not every cluster", () => {
    const h = new Harness(1, { pushTime: () => 0, pushTimePerResourceMs: 1 });
    const dr = { kind: "DestinationRule", apiVersion: "networking.istio.io/v1", metadata: { name: "a", namespace: "default", labels: {}, annotations: {}, creationIndex: 9800 }, spec: { host: "a", subsets: [{ name: "v1", labels: { version: "v1" } }, { name: "v2", labels: { version: "v2" } }] } } as unknown as AnyResource;
    h.at(0, () => h.cp.change(apply(h.initial, dr)));
    h.run();
    const t = (type: string) => h.arrivals.find((a) => a.type === type)!.t;
    // a's three EDS clusters (the service and its two subsets), not b's and c's as well (five).
    expect(t("eds") - t("cds")).toBe(3);
  });
});

describe("a push does not wait for proxies whose stream is not admitted yet", () => {
  // ads.go StartPush enqueues AllClients(): a proxy becomes a client in initConnection, after
  // WaitForRequestLimit admitted its stream; until then it is pushed nothing and counts for nothing.
  it("an endpoint push converges without the proxies still queued for the rate limiter", () => {
    const h = new Harness(1, { pushTime: () => 0, requestsPerSecond: 1 });
    const known = new Pod("known", "default", "a", { app: "a" }, {}, "default", true, "10.0.7.1");
    h.at(0, () => { for (let i = 0; i < 4; i++) h.addPod(); });
    h.at(10, () => h.cp.endpointsChanged(eds({ [SERVICES[0]!.fqdn]: [known] }), [SERVICES[0]!.fqdn]));
    h.run();
    // New pods are admitted at 0, 1, 2, 3 s; the push (at 110 ms, after the debounce) goes to the
    // scenario's proxy and the pod admitted at 0 only, and converges then, not at 3 s.
    expect(h.pushes[0]!.proxies).toBe(2);
    expect(h.converged[0]!.at).toBeLessThan(1000);
  });
});
