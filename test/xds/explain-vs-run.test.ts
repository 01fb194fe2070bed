// `meshsim explain` must say what the simulation does. For many scenarios and requests, the decision
// explain prints (virtual host, route, destination cluster, endpoint set, timeout, retries, fault) is
// compared with what the running world's router decides for the same request from the same proxy
// (mesh/sidecar/proxy-routing.ts, the code path the simulation sends every request through) and with the
// endpoints its cluster actually balances over. The cases come from issue 12's reproductions
// (ServiceEntry hosts, egress timeouts, header routes, Sidecar scoping) and Istio's Bookinfo tasks.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { parseCallUrl } from "../../src/scenario/index.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { explain, type ExplainDecision } from "../../src/xds/explain.js";
import { Translator } from "../../src/xds/translation/translator.js";
import { parseRequest, targetOf } from "../../src/cli/inspect-commands.js";
import type { World } from "../../src/mesh/world.js";
import type { Pod } from "../../src/mesh/kube/pod.js";
import type { OutgoingRequest } from "../../src/mesh/transport.js";
import { writeScenario } from "../support/scenario-text.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../../scenarios", f);

/** sleep in foo with a Sidecar that limits it to its own namespace; `mode` its outboundTrafficPolicy. */
function scoped(mode: "ALLOW_ANY" | "REGISTRY_ONLY"): string {
  return writeScenario({
    "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: scoped}
spec:
  duration: 1s
  include: [${S("security/sleep-httpbin.yaml")}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: foo}
spec:
  egress: [{hosts: ["./*"]}]
  outboundTrafficPolicy: {mode: ${mode}}
`,
  });
}

/** scoped("ALLOW_ANY") plus a Service in bar on port 9000, which no Service of foo has. */
function scopedOtherPort(): string {
  return writeScenario({
    "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: scoped-other-port}
spec:
  duration: 1s
  include: [${S("security/sleep-httpbin.yaml")}]
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: foo}
spec:
  egress: [{hosts: ["./*"]}]
---
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: bar}
spec: {selector: {app: httpbin}, ports: [{name: http, port: 9000, targetPort: 8080}]}
`,
  });
}

interface Case { name: string; file: string; from: string; request: string; at?: number }

const CASES: Case[] = [
  { name: "default route to reviews", file: S("bookinfo/simulation.yaml"), from: "productpage-v1", request: "GET http://reviews:9080/reviews/0" },
  { name: "header route: jason → reviews v2", file: S("bookinfo/request-routing.yaml"), from: "productpage-v1", request: "GET http://reviews:9080/reviews/0 -H 'end-user: jason'", at: 40_000 },
  { name: "header route: another user → reviews v1", file: S("bookinfo/request-routing.yaml"), from: "productpage-v1", request: "GET http://reviews:9080/reviews/0 -H end-user:alice", at: 40_000 },
  { name: "weighted 50/50 shift", file: S("bookinfo/traffic-shifting-50.yaml"), from: "productpage-v1", request: "GET http://reviews:9080/reviews/0", at: 40_000 },
  { name: "fault: delay on ratings", file: S("bookinfo/request-timeouts.yaml"), from: "reviews-v2", request: "GET http://ratings:9080/ratings/0", at: 1_000 },
  { name: "route timeout 0.5 s on reviews", file: S("bookinfo/request-timeouts.yaml"), from: "productpage-v1", request: "GET http://reviews:9080/reviews/0", at: 70_000 },
  { name: "abort fault for jason", file: S("bookinfo/fault-injection-abort.yaml"), from: "reviews-v2", request: "GET http://ratings:9080/ratings/0 -H end-user:jason", at: 40_000 },
  { name: "ServiceEntry STATIC endpoints", file: S("security/egress-endpoints.yaml"), from: "sleep", request: "GET http://api.example.com/" },
  { name: "ServiceEntry host with a 3 s timeout", file: S("security/egress-timeout.yaml"), from: "sleep", request: "GET http://httpbin.org/delay/5" },
  { name: "REGISTRY_ONLY: unknown host is block_all", file: S("security/egress.yaml"), from: "sleep", request: "GET http://api.github.com/" },
  { name: "REGISTRY_ONLY: unknown host on a port without an HTTP listener is BlackHoleCluster's TCP chain", file: S("security/egress.yaml"), from: "sleep", request: "GET https://www.google.com/" },
  { name: "ALLOW_ANY: unknown host on a port without an HTTP listener is PassthroughCluster's TCP chain", file: S("security/egress-timeout.yaml"), from: "sleep", request: "GET https://www.google.com/" },
  { name: "ingress gateway: bound host", file: S("bookinfo/ingress-gateway.yaml"), from: "istio-ingressgateway", request: "GET http://bookinfo.example.com/productpage" },
  { name: "ingress gateway: unrouted path is 404", file: S("bookinfo/ingress-gateway.yaml"), from: "istio-ingressgateway", request: "GET http://bookinfo.example.com/admin" },
  { name: "Sidecar scope, ALLOW_ANY: out-of-scope service via PassthroughCluster", file: scoped("ALLOW_ANY"), from: "sleep.foo", request: "GET http://httpbin.bar:8000/get" },
  { name: "Sidecar scope, in-scope service", file: scoped("ALLOW_ANY"), from: "sleep.foo", request: "GET http://httpbin:8000/get" },
  { name: "Sidecar scope, ALLOW_ANY: out-of-scope service on a port without an HTTP listener is PassthroughCluster's TCP chain to its ClusterIP", file: scopedOtherPort(), from: "sleep.foo", request: "GET http://echo.bar:9000/" },
  { name: "Sidecar scope, REGISTRY_ONLY: out-of-scope service is block_all", file: scoped("REGISTRY_ONLY"), from: "sleep.foo", request: "GET http://httpbin.bar:8000/get" },
];

const worlds = new Map<string, World>();
function worldAt(file: string, at: number): World {
  const key = `${file}@${at}`;
  let w = worlds.get(key);
  if (w === undefined) {
    w = createWorld(loadScenario(file)).world;
    w.advance(at);
    worlds.set(key, w);
  }
  return w;
}

function podOf(world: World, from: string): Pod {
  const pod = [...world.pods.values()].find((p) => p.workload === from || `${p.workload}.${p.namespace}` === from || p.name === from);
  if (pod === undefined) throw new Error(`no pod ${from}`);
  return pod;
}

/** What the running world's router does with the request: the decision, and the endpoints its cluster picks from. */
function simulated(world: World, pod: Pod, req: OutgoingRequest, weights: readonly number[]): ExplainDecision {
  const routing = world.sidecars.d.routing;
  // SidecarPath.send closes a blackholed TCP connection before any routing (catch-all TCP chain).
  if (pod.gateway === undefined && routing.blackholedTcp(pod, req)) {
    return { path: "", virtualHost: "", route: "", localStatus: 0, localFlags: "UH", service: "BlackHoleCluster", destinations: [], timeoutMs: 0, retries: 0, fault: false };
  }
  // ... and sends a connection to PassthroughCluster through tcp_proxy (passthrough-connection.ts).
  const tcp = pod.gateway === undefined ? routing.passthroughTcp(routing.virtualHost(pod, req)) : null;
  if (tcp !== null) {
    // A Service outside the Sidecar scope: kube-proxy's pick among its endpoints.
    const endpoints = tcp.service?.endpoints.map((p) => p.name).sort() ?? [];
    return { path: "passthrough-tcp", virtualHost: "", route: "", localStatus: 0, localFlags: "-", service: "PassthroughCluster", destinations: [{ cluster: "PassthroughCluster", weight: 100, endpoints }], timeoutMs: 0, retries: 0, fault: false };
  }
  const dests: { cluster: string; weight: number; endpoints: string[] }[] = [];
  let first = routing.route(pod, req, () => 0);
  // One draw per destination, at the middle of its weight's share (pickDestination's cumulative weights).
  const total = weights.reduce((a, b) => a + b, 0);
  let acc = 0;
  for (const w of weights.length > 0 ? weights : [1]) {
    const u = (acc + w / 2) / (total || 1);
    acc += w;
    const r = routing.route(pod, req, () => u);
    if (weights.length > 0 && dests.length === 0) first = r;
    if (r.kind === "cluster") {
      const seen = new Set<string>();
      // LEAST_REQUEST with nothing in flight picks at random: 200 picks see every endpoint.
      for (let k = 0; k < 200 && r.cluster !== undefined; k++) {
        const h = r.cluster.pick(null, req, pod.ip);
        if (h !== undefined) seen.add(h.name);
      }
      dests.push({ cluster: r.cluster?.name === "PassthroughCluster" ? "PassthroughCluster" : r.cluster?.name ?? "", weight: w, endpoints: [...seen].sort() });
    } else if (r.kind === "external") {
      const eps: string[] = [];
      if (r.endpoints !== null) for (let i = 0; i < r.endpoints.size; i++) eps.push(i.toString());
      dests.push({ cluster: r.service === "PassthroughCluster" ? "PassthroughCluster" : `outbound|${req.target.port}||${r.service}`, weight: w, endpoints: eps });
    }
  }
  if (first.kind === "local") return { path: "", virtualHost: "", route: "", localStatus: first.status, localFlags: first.flags, service: first.service, destinations: [], timeoutMs: 0, retries: 0, fault: false };
  if (first.kind === "external") return { path: "", virtualHost: "", route: "", localStatus: 0, localFlags: "", service: first.service, destinations: dests, timeoutMs: first.timeoutMs, retries: 0, fault: false };
  return {
    path: "", virtualHost: "", route: first.route.name, localStatus: 0, localFlags: "", service: first.service, destinations: dests,
    timeoutMs: first.timeoutMs, retries: first.retryPolicy?.numRetries ?? 0, fault: first.fault !== undefined,
  };
}

describe("explain's decision is the simulation's decision", () => {
  it.each(CASES)("$name", (c) => {
    const world = worldAt(c.file, c.at ?? 0);
    const pod = podOf(world, c.from);
    const r = parseRequest(c.request);
    const url = parseCallUrl(r.url);
    const target = targetOf(world, pod, url);
    const authority = url.port !== undefined ? `${url.host}:${url.port}` : url.host;
    const req: OutgoingRequest = { method: r.method, scheme: url.scheme, authority, path: url.path, headers: r.headers, target };
    const { lines, decision: e } = explain({
      pod, held: world.heldBy(pod), translator: world.translation as Translator, nowMs: world.sim.now,
      listenerConfigOf: (p) => world.heldBy(p).lds, inboundVerdict: (p, port) => world.interception.explainInbound(p, port),
    }, req, target, pod.gateway === undefined ? world.interception.explainOutbound(pod, target) : undefined);
    const s = simulated(world, pod, req, e.destinations.length > 1 ? e.destinations.map((d) => d.weight) : []);
    expect(lines.length).toBeGreaterThan(3);
    expect(e.localStatus).toBe(s.localStatus);
    expect(e.service).toBe(s.service);
    if (e.localStatus !== 0) {
      expect(e.localFlags).toBe(s.localFlags);
      return;
    }
    expect(e.route).toBe(s.route);
    expect(e.timeoutMs).toBe(s.timeoutMs);
    expect(e.retries).toBe(s.retries);
    expect(e.fault).toBe(s.fault);
    expect(e.destinations.map((d) => d.cluster)).toEqual(s.destinations.map((d) => d.cluster));
    for (let i = 0; i < e.destinations.length; i++) {
      const ed = e.destinations[i]!, sd = s.destinations[i]!;
      // A ServiceEntry's endpoints are counted (the run's ExternalEndpoints has no names); pods by name.
      if (ed.cluster.startsWith("outbound|") && !ed.cluster.includes(".svc.")) expect(ed.endpoints.length === 0 ? 0 : ed.endpoints.length).toBe(sd.endpoints.length);
      else if (ed.cluster !== "PassthroughCluster" || e.path === "passthrough-tcp") expect([...ed.endpoints].sort()).toEqual(sd.endpoints);
    }
  });

  it("the reproductions of issue 12 explain what the run does", () => {
    const ep = worldAt(S("security/egress-endpoints.yaml"), 0);
    const sleep = podOf(ep, "sleep");
    const t = targetOf(ep, sleep, parseCallUrl("http://api.example.com/"));
    const d1 = explain({ pod: sleep, held: ep.heldBy(sleep), translator: ep.translation as Translator, nowMs: 0, listenerConfigOf: (p) => ep.heldBy(p).lds, inboundVerdict: (p, port) => ep.interception.explainInbound(p, port) },
      { method: "GET", scheme: "http", authority: "api.example.com", path: "/", headers: {} }, t, ep.interception.explainOutbound(sleep, t));
    // Not REGISTRY_ONLY's 502: the ServiceEntry's cluster and its three endpoints.
    expect(d1.decision.localStatus).toBe(0);
    expect(d1.decision.destinations[0]!.endpoints).toHaveLength(3);
    const to = worldAt(S("security/egress-timeout.yaml"), 0);
    const s2 = podOf(to, "sleep");
    const t2 = targetOf(to, s2, parseCallUrl("http://httpbin.org/delay/5"));
    const d2 = explain({ pod: s2, held: to.heldBy(s2), translator: to.translation as Translator, nowMs: 0, listenerConfigOf: (p) => to.heldBy(p).lds, inboundVerdict: (p, port) => to.interception.explainInbound(p, port) },
      { method: "GET", scheme: "http", authority: "httpbin.org", path: "/delay/5", headers: {} }, t2, to.interception.explainOutbound(s2, t2));
    // The scenario's expectations require 504 UT at 3 s: explain names the 3 s timeout, not PassthroughCluster.
    expect(d2.decision.timeoutMs).toBe(3000);
    expect(d2.decision.destinations[0]!.cluster).toBe("outbound|80||httpbin.org");
  });
});
