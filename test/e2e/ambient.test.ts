// ambient mode end to end (issue 16): the scenarios of scenarios/ambient/ run in-process and are held
// to what Istio's ambient docs say: mTLS on every hop with no sidecar, L7 config ignored without a
// waypoint, ztunnel's TCP-only metrics, per-connection balancing (istio/istio#57711), L7 policies
// without a waypoint dropping everything, and the same seed giving the same summary.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { createWorld, finishRun, runScenario } from "../../src/runner/run-scenario.js";
import { renderPrometheus } from "../../src/report/prometheus.js";
import type { Scenario } from "../../src/scenario/model.js";
import type { Pod } from "../../src/mesh/kube/pod.js";

const DIR = path.resolve(import.meta.dirname, "../../scenarios/ambient");
const load = (f: string): Scenario => loadScenario(path.join(DIR, f));

function withMode(s: Scenario, mode: "sidecar" | "ambient" | "none"): Scenario {
  return { ...s, simulation: { ...s.simulation, mesh: { ...s.simulation.mesh, mode } } };
}

describe("Bookinfo in ambient without a waypoint", () => {
  const scenario = load("bookinfo-ambient.yaml");
  const out = runScenario(scenario);
  const s = out.summary;

  it("meets its expectations (L7 routing and the abort fault ignored)", () => {
    for (const e of s.expectations) expect(e, e.text).toMatchObject({ ok: true });
    expect(s.expectations.length).toBeGreaterThan(0);
  });

  it("encrypts every hop between pods (HBONE) and reports ztunnel's TCP metrics only", () => {
    const meshEdges = s.edges.filter((e) => e.source === "productpage-v1");
    expect(meshEdges.length).toBeGreaterThan(0);
    for (const e of meshEdges) expect(e.mtls, `${e.source}->${e.destination}`).toBe(true);
    // No fault: nothing answered by a proxy.
    for (const e of s.edges) expect(Object.keys(e.flags ?? {})).not.toContain("FI");
    const prom = renderPrometheus(out.recorder, s);
    expect(prom).not.toMatch(/^istio_requests_total\{/m);
    expect(prom).toMatch(/^istio_tcp_sent_bytes_total\{reporter="destination",source_workload="productpage-v1".*connection_security_policy="mutual_tls",source_region="unknown".*\} \d+/m);
    expect(prom).toMatch(/^istio_tcp_connections_opened_total\{reporter="source",source_workload="reviews-v2",.*destination_workload="ratings-v1".*\} [1-9]\d*$/m);
    expect(prom).toMatch(/^istio_tcp_connections_closed_total\{/m);
    // ztunnel's locality labels follow (metrics.rs LocalityLabels; no nodes here: unknown).
    // ztunnel labels both ends of an HBONE connection mutual_tls, anything else unknown — never
    // "none" (its SecurityPolicy enum; outbound.rs conn_metrics_from_request, inbound_passthrough.rs).
    expect(prom).toMatch(/^istio_tcp_sent_bytes_total\{reporter="source",source_workload="productpage-v1".*connection_security_policy="mutual_tls",source_region="unknown".*\} \d+/m);
    expect(prom).toMatch(/^istio_tcp_sent_bytes_total\{reporter="destination",source_workload="unknown".*destination_workload="productpage-v1".*connection_security_policy="unknown",source_region="unknown".*\} \d+/m);
    expect(prom).not.toMatch(/^istio_tcp_\w+\{.*connection_security_policy="none"/m);
    expect(prom).toMatch(/^istio_tcp_received_bytes_total\{/m);
  });

  it("runs one ztunnel (no sidecar) and prices it with ztunnel's calibration", () => {
    const z = s.pods["ztunnel-node.istio-system"];
    expect(z).toBeDefined();
    expect(z!.containers?.["istio-proxy"]?.memoryMB).toBe(12);
    expect(z!.containers?.["istio-proxy"]?.concurrency).toBe(2);
    expect(s.pods["productpage-v1-0"]!.containers?.["istio-proxy"]).toBeUndefined();
    expect(s.mesh.cost!.proxies).toBe(1);
    expect(s.mesh.cost!.profile).toBe("ztunnel-1.24");
    expect(s.mesh.cost!.proxyCores).toBeGreaterThan(0);
  });

  it("costs less than sidecars and adds less latency on the same YAML (Bookinfo without routing rules)", () => {
    const plain = loadScenario(path.resolve(DIR, "../bookinfo/simulation.yaml"));
    const short = (m: "sidecar" | "ambient" | "none"): Scenario => {
      const x = withMode(plain, m);
      return { ...x, simulation: { ...x.simulation, durationMs: 60_000 } };
    };
    const [amb, side, none] = (["ambient", "sidecar", "none"] as const).map((m) => runScenario(short(m)).summary);
    expect(amb!.mesh.cost!.proxyCores).toBeLessThan(side!.mesh.cost!.proxyCores / 3);
    const p90 = (x: typeof s): number => x.clients["users"]!.latencyMs.p90;
    expect(p90(amb!)).toBeGreaterThan(p90(none!));
    expect(p90(amb!)).toBeLessThan(p90(side!));
  });

  it("gives a byte-identical summary for the same seed", () => {
    const again = runScenario(load("bookinfo-ambient.yaml")).summary;
    const strip = (x: typeof s): string => JSON.stringify({ ...x, measuredSeconds: 0 });
    expect(strip(again)).toBe(strip(s));
  });
});

describe("per-connection balancing (istio/istio#57711)", () => {
  const busy = (sc: Scenario): number => {
    const s = runScenario(sc).summary;
    return Object.entries(s.pods).filter(([n, p]) => n.startsWith("echo-") && p.requests > 0).length;
  };

  it("three kept connections reach at most three of six pods in ambient; sidecars spread over all six", () => {
    const sc = load("connection-skew.yaml");
    expect(busy(sc)).toBeLessThanOrEqual(3);
    expect(busy(withMode(sc, "sidecar"))).toBe(6);
  });

  it("a kept connection never changes pod, whatever the seed, replicas, connections and a pod killed midway", () => {
    const base = load("connection-skew.yaml");
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 4 }), (seed, replicas, connections) => {
      const sc: Scenario = {
        ...base,
        simulation: {
          ...base.simulation, seed, durationMs: 4000, warmupMs: 0,
          timeline: [{ atMs: 2000, action: { kind: "kill", deployment: "echo", count: 1, namespace: "default", network: "refuse" } }] as unknown as Scenario["simulation"]["timeline"],
        },
        deployments: base.deployments.map((d) => (d.metadata.name === "echo" ? { ...d, replicas } : d)),
        loadGenerators: base.loadGenerators.map((g) => ({ ...g, closed: { ...g.closed!, connections, qps: 200 } })),
      };
      const made = createWorld(sc);
      const path = made.world.ambient!.path;
      const served = new Map<number, Set<string>>();
      const inbound = (path as unknown as { d: { inbound: { receive: (pod: Pod, ...rest: unknown[]) => void } } }).d.inbound;
      const receive = inbound.receive.bind(inbound);
      inbound.receive = (pod: Pod, ...rest: unknown[]) => {
        const key = rest[rest.length - 1] as number;
        let set = served.get(key);
        if (set === undefined) served.set(key, (set = new Set()));
        set.add(pod.id);
        receive(pod, ...rest);
      };
      made.world.run();
      expect(served.size).toBeGreaterThan(0);
      for (const pods of served.values()) expect(pods.size).toBe(1);
    }), { numRuns: 8 });
  });
});

describe("an L7 AuthorizationPolicy without a waypoint", () => {
  it("makes ztunnel drop every connection to the workload until the policy is L4 only", () => {
    const s = runScenario(load("l7-authz-without-waypoint.yaml")).summary;
    for (const e of s.expectations) expect(e, e.text).toMatchObject({ ok: true });
    const denied = (s.events as { kind: string; t: number; detail: Record<string, unknown> }[]).filter((e) => e.kind === "ztunnel-denied");
    expect(denied.map((e) => e.detail["pod"]).sort()).toEqual(["reviews-v1-0", "reviews-v2-0", "reviews-v3-0"]);
    for (const e of denied) {
      expect(e.t).toBeGreaterThanOrEqual(20);
      expect(e.t).toBeLessThan(50);
      expect(String(e.detail["reason"])).toContain("l7-policy-without-waypoint");
    }
  });
});

describe("enrolment", () => {
  it("a Namespace labelled on the timeline moves running pods into ambient without a restart", () => {
    const base = load("connection-skew.yaml");
    const ns = { kind: "Namespace", metadata: { name: "default", namespace: "", labels: { "istio.io/dataplane-mode": "ambient" }, annotations: {} } };
    const sc: Scenario = {
      ...base,
      namespaces: [{ ...ns, metadata: { ...ns.metadata, labels: {} } } as unknown as Scenario["namespaces"][number]],
      simulation: { ...base.simulation, durationMs: 20_000, timeline: [{ atMs: 10_000, action: { kind: "apply", resources: [ns] } }] as unknown as Scenario["simulation"]["timeline"] },
    };
    const made = createWorld(sc);
    const fortio = made.world.pods.get("fortio-deploy-0")!;
    expect(fortio.ambient).toBe(false);
    made.world.advance(9_000);
    expect(fortio.ambient).toBe(false);
    made.world.advance(11_000);
    expect(fortio.ambient).toBe(true);
    expect(fortio.restarts).toBe(0);
    const s = finishRun(sc, {}, made, made.world.run(), Date.now()).summary;
    expect((s.events as { kind: string }[]).filter((e) => e.kind === "ambient-enrolled").length).toBe(7);
  });
});

describe("a waypoint (Gateway of class istio-waypoint, namespace enrolled)", () => {
  const out = runScenario(load("waypoint-traffic-shifting.yaml"));
  const s = out.summary;

  it("applies the HTTPRoute 90/10 per request at the waypoint (none to v3)", () => {
    for (const e of s.expectations) expect(e, e.text).toMatchObject({ ok: true });
    const v1 = s.edges.find((e) => e.source === "productpage-v1" && e.destination === "reviews-v1")!;
    const v2 = s.edges.find((e) => e.source === "productpage-v1" && e.destination === "reviews-v2")!;
    const share = v2.requests / (v1.requests + v2.requests);
    // Binomial: within 4 standard deviations of 10 %.
    const sd = Math.sqrt((0.1 * 0.9) / (v1.requests + v2.requests));
    expect(Math.abs(share - 0.1)).toBeLessThan(4 * sd);
    expect(v1.reporter).toBe("waypoint");
  });

  it("reports HTTP metrics as reporter=waypoint with the original client as source, and shows the waypoint as a node", () => {
    const prom = renderPrometheus(out.recorder, s);
    expect(prom).toMatch(/^istio_requests_total\{reporter="waypoint",source_workload="productpage-v1",source_workload_namespace="default",source_principal="spiffe:\/\/cluster.local\/ns\/default\/sa\/bookinfo-productpage".*destination_workload="reviews-v2"/m);
    expect(prom).not.toMatch(/^istio_requests_total\{reporter="source"/m);
    expect(s.edges.some((e) => e.source === "productpage-v1" && e.destination === "waypoint" && e.reporter === "source")).toBe(true);
  });

  it("runs the waypoint as its own pod with the waypoint calibration in mesh.cost", () => {
    const wp = s.pods["waypoint-0"];
    expect(wp?.containers?.["istio-proxy"]).toBeDefined();
    expect(wp!.containers!["istio-proxy"]!.cpuCores.mean).toBeGreaterThan(0);
    expect(s.mesh.cost!.profile).toBe("waypoint-1.24,ztunnel-1.24");
    expect(s.mesh.cost!.proxies).toBe(2);
  });
});

describe("an L7 AuthorizationPolicy with targetRefs and a waypoint", () => {
  it("is enforced per request at the waypoint (403 once only POST is allowed), never by ztunnel", () => {
    const s = runScenario(load("l7-authz-with-waypoint.yaml")).summary;
    for (const e of s.expectations) expect(e, e.text).toMatchObject({ ok: true });
    expect((s.events as { kind: string }[]).filter((e) => e.kind === "ztunnel-denied")).toEqual([]);
    // The reviews pods only saw the requests the waypoint let through.
    const toReviews = s.edges.filter((e) => e.source === "productpage-v1" && e.destination.startsWith("reviews-")).reduce((n, e) => n + e.requests, 0);
    const viaWaypoint = s.edges.find((e) => e.source === "productpage-v1" && e.destination === "waypoint" && e.service.startsWith("reviews."))!;
    expect(toReviews).toBe(viaWaypoint.codes["200"]);
  });
});

describe("interop and STRICT mTLS", () => {
  const yaml = (strict: boolean): string => `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: interop}
spec:
  seed: 3
  duration: 20s
  warmup: 2s
  mesh: {mode: ambient}
---
apiVersion: v1
kind: Namespace
metadata: {name: legacy, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: v1
kind: Service
metadata: {name: server, namespace: default}
spec:
  ports: [{name: http, port: 8080}]
  selector: {app: server}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: server}}
  template:
    metadata: {labels: {app: server}}
    spec:
      containers: [{name: server, image: s}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: legacy}
spec:
  replicas: 1
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      containers: [{name: client, image: c}]
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: from-sidecar, namespace: legacy}
spec:
  from: client
  target: http://server.default:8080/
  rate: 50
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: from-outside}
spec:
  from: outside
  target: http://server.default:8080/
  rate: 50
${strict ? `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: strict, namespace: default}
spec:
  mtls: {mode: STRICT}
` : ""}`;

  function runYaml(text: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-ambient-"));
    const file = path.join(dir, "interop.yaml");
    fs.writeFileSync(file, text);
    return runScenario(loadScenario(file)).summary;
  }

  it("the destination ztunnel counts a sidecar client's pooled connection once, not once per request", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-ambient-"));
    const file = path.join(dir, "interop.yaml");
    // No warm-up: the pool's connections open in the first requests, which a warm-up would not count.
    fs.writeFileSync(file, yaml(false).replace("warmup: 2s", "warmup: 0s"));
    const out = runScenario(loadScenario(file));
    const prom = renderPrometheus(out.recorder, out.summary);
    const opened = (src: string) => [...prom.matchAll(new RegExp(`^istio_tcp_connections_opened_total\\{reporter="destination",source_workload="${src}".*\\} (\\d+)$`, "gm"))].reduce((n, m) => n + Number(m[1]), 0);
    const sidecarRequests = out.summary.clients["from-sidecar"]!.requests;
    // Envoy keeps a few HTTP/1.1 connections per worker and reuses them.
    expect(opened("client")).toBeGreaterThan(0);
    expect(opened("client")).toBeLessThan(sidecarRequests / 20);
    // A client outside the mesh (no pool modelled) still opens one per request.
    expect(opened("unknown")).toBeGreaterThan(out.summary.clients["from-outside"]!.requests * 0.8);
  });

  it("a sidecar client reaches ambient pods over mTLS (HBONE), and plaintext from outside is accepted when PERMISSIVE", () => {
    const s = runYaml(yaml(false));
    expect(s.clients["from-sidecar"]!.errorRate).toBe(0);
    expect(s.clients["from-outside"]!.errorRate).toBe(0);
    const side = s.edges.find((e) => e.source === "client" && e.destination === "server")!;
    expect(side.mtls).toBe(true);
    expect(s.pods["client-0.legacy"]!.containers?.["istio-proxy"]).toBeDefined();
    expect(s.pods["server-0"]!.containers?.["istio-proxy"]).toBeUndefined();
  });

  it("STRICT at the destination ztunnel refuses plaintext from outside the mesh but not HBONE", () => {
    const s = runYaml(yaml(true));
    expect(s.clients["from-sidecar"]!.errorRate).toBe(0);
    expect(s.clients["from-outside"]!.errorRate).toBe(1);
    expect((s.events as { kind: string; detail: Record<string, unknown> }[]).some((e) => e.kind === "ztunnel-denied" && e.detail["reason"] === "strict-mtls")).toBe(true);
  });
});

describe("who goes through a Service's waypoint besides ambient clients", () => {
  // Bookinfo behind its ingress gateway, the namespace bound to a waypoint; `ingress` adds
  // istio.io/ingress-use-waypoint to the namespace. A client outside the mesh calls productpage too.
  const BOOKINFO = path.resolve(DIR, "../bookinfo");
  const yaml = (ingress: string | null): string => `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ingress-use-waypoint}
spec:
  seed: 2
  duration: 15s
  warmup: 2s
  include: [${BOOKINFO}/bookinfo.yaml, ${BOOKINFO}/workloads.yaml, ${BOOKINFO}/networking/bookinfo-gateway.yaml]
  mesh: {mode: ambient}
---
apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint${ingress === null ? "" : `, istio.io/ingress-use-waypoint: "${ingress}"`}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint}
spec:
  gatewayClassName: istio-waypoint
  listeners:
  - {name: mesh, port: 15008, protocol: HBONE}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec:
  from: bookinfo-gateway
  target: http://bookinfo.example.com/productpage
  rate: 20
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: outside}
spec:
  from: outside
  target: http://productpage.default:9080/productpage
  rate: 10
`;
  function runYaml(text: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-ambient-"));
    const file = path.join(dir, "ingress.yaml");
    fs.writeFileSync(file, text);
    return runScenario(loadScenario(file)).summary;
  }
  const gatewayEdges = (s: ReturnType<typeof runYaml>) => s.edges.filter((e) => e.source === "istio-ingressgateway");

  it("the ingress gateway sends to the waypoint's pods when istio.io/ingress-use-waypoint is true, and the waypoint routes by the Service", () => {
    const s = runYaml(yaml("true"));
    expect(s.clients["users"]!.errorRate).toBe(0);
    const edges = gatewayEdges(s);
    const toWaypoint = edges.find((e) => e.destination === "waypoint" && e.reporter === "source")!;
    expect(toWaypoint.service).toBe("productpage.default.svc.cluster.local");
    expect(toWaypoint.mtls).toBe(true);
    const atWaypoint = edges.find((e) => e.destination === "productpage-v1")!;
    expect(atWaypoint.reporter).toBe("waypoint");
    expect(atWaypoint.requests).toBe(toWaypoint.requests);
    expect(edges.every((e) => e.reporter !== "source" || e.destination === "waypoint")).toBe(true);
  });

  it("without the label (or with a false value) the gateway bypasses the waypoint", () => {
    for (const v of [null, "false"]) {
      const edges = gatewayEdges(runYaml(yaml(v)));
      expect(edges.map((e) => `${e.destination}/${e.reporter}`)).toEqual(["productpage-v1/source"]);
    }
  });

  it("the shipped lesson: labelling the namespace on the timeline moves the gateway's traffic onto the waypoint", () => {
    const s = runScenario(load("ingress-use-waypoint.yaml")).summary;
    for (const e of s.expectations) expect(e, e.text).toMatchObject({ ok: true });
    // The POSTs the waypoint refused never reached productpage: 403s only from the waypoint.
    const refused = s.edges.filter((e) => e.reporter === "waypoint" && e.destination === "unknown" && e.source === "istio-ingressgateway");
    expect(refused.reduce((n, e) => n + (e.codes["403"] ?? 0), 0)).toBe(s.clients["scanner"]!.codes["403"]);
  });

  it("a client outside the mesh reaches the pod directly (ztunnel's inbound passthrough does not hairpin to the waypoint)", () => {
    const s = runYaml(yaml("true"));
    expect(s.clients["outside"]!.errorRate).toBe(0);
    const out = s.edges.filter((e) => e.destination === "productpage-v1" && e.source !== "istio-ingressgateway");
    expect(out.length).toBeGreaterThan(0);
    for (const e of out) expect(e.reporter).not.toBe("waypoint");
    expect(s.edges.some((e) => e.destination === "waypoint" && e.source !== "istio-ingressgateway" && e.service.startsWith("productpage."))).toBe(false);
  });
});

describe("RequestAuthentication with targetRefs at the waypoint", () => {
  // Istio's "JWT authentication" task in ambient: the policies target the namespace's waypoint.
  const SECURITY = path.resolve(DIR, "../security");
  const validToken = /Bearer (eyJ[^"]+)/.exec(fs.readFileSync(path.join(SECURITY, "jwt.yaml"), "utf8"))![1]!;
  const yaml = `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: waypoint-jwt}
spec:
  seed: 4
  duration: 20s
  warmup: 1s
  mesh: {mode: ambient}
  network:
    jwks:
      "https://example.com/jwks.json": {file: ${SECURITY}/istio-jwt-samples/jwks.json}
---
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio.io/dataplane-mode: ambient, istio.io/use-waypoint: waypoint}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint}
spec:
  gatewayClassName: istio-waypoint
  listeners:
  - {name: mesh, port: 15008, protocol: HBONE}
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
    spec:
      containers: [{name: httpbin, image: h, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep}
spec:
  replicas: 1
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec:
      containers: [{name: sleep, image: s}]
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt-example}
spec:
  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]
  jwtRules:
  - issuer: testing@secure.istio.io
    jwksUri: https://example.com/jwks.json
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: require-jwt}
spec:
  targetRefs: [{kind: Service, group: "", name: httpbin}]
  action: ALLOW
  rules: [{from: [{source: {requestPrincipals: ["testing@secure.istio.io/testing@secure.istio.io"]}}]}]
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: valid-token}
spec:
  from: sleep
  target: http://httpbin:8000/headers
  rate: 10
  headers: [{fraction: 1, set: {authorization: "Bearer ${validToken}"}}]
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: invalid-token}
spec:
  from: sleep
  target: http://httpbin:8000/headers
  rate: 10
  headers: [{fraction: 1, set: {authorization: "Bearer deadbeef"}}]
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: no-token}
spec: {from: sleep, target: http://httpbin:8000/headers, rate: 10}
`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-ambient-"));
  const file = path.join(dir, "jwt.yaml");
  fs.writeFileSync(file, yaml);
  const out = runScenario(loadScenario(file));
  const s = out.summary;

  it("validates the JWT at the waypoint (401 for a bad token) and authorizes its principal (403 without one)", () => {
    expect(s.clients["valid-token"]!.codes).toEqual({ "200": s.clients["valid-token"]!.requests });
    expect(s.clients["invalid-token"]!.codes).toEqual({ "401": s.clients["invalid-token"]!.requests });
    expect(s.clients["no-token"]!.codes).toEqual({ "403": s.clients["no-token"]!.requests });
    // Only the valid token's requests reached the pod.
    const atPod = s.edges.filter((e) => e.destination === "httpbin").reduce((n, e) => n + e.requests, 0);
    expect(atPod).toBe(s.clients["valid-token"]!.requests);
  });

  it("counts the waypoint's own 401s and 403s in its reporter=\"waypoint\" metrics", () => {
    const prom = renderPrometheus(out.recorder, s);
    expect(prom).toMatch(/^istio_requests_total\{reporter="waypoint",source_workload="sleep".*destination_workload="unknown".*response_code="401".*\} [1-9]/m);
    expect(prom).toMatch(/^istio_requests_total\{reporter="waypoint",source_workload="sleep".*destination_workload="unknown".*response_code="403".*\} [1-9]/m);
    expect(prom).toMatch(/^istio_requests_total\{reporter="waypoint",source_workload="sleep".*destination_workload="httpbin".*response_code="200".*\} [1-9]/m);
  });
});

describe("ztunnel's access log and the waypoint's spans", () => {
  it("writes one ztunnel line per connection and ztunnel, in ztunnel's format, when the access log is on", async () => {
    const { StringSink } = await import("../../src/telemetry/line-sink.js");
    const accessLog = new StringSink();
    const out = runScenario(load("bookinfo-ambient.yaml"), { durationMs: 15_000, records: { accessLog } });
    const lines = accessLog.text.split("\n").filter((l) => l !== "");
    const zt = lines.filter((l) => l.includes(" INFO access: connection complete "));
    // No Envoy in ambient pods without a waypoint: every line is ztunnel's.
    expect(zt.length).toBe(lines.length);
    expect(zt[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z {2}INFO access: connection complete src\.addr=[\d.]+:\d+ /);
    const outbound = zt.filter((l) => l.includes('direction="outbound"'));
    const inbound = zt.filter((l) => l.includes('direction="inbound"'));
    // Mesh hops: both ztunnels log (HBONE to 15008, identities); the users outside the mesh: inbound only, plaintext.
    expect(outbound.length).toBeGreaterThan(0);
    // src.cluster/dst.cluster follow the identities (istio/ztunnel src/proxy/metrics.rs record_internal).
    expect(outbound[0]).toMatch(/src\.identity="spiffe:\/\/cluster\.local\/ns\/default\/sa\/[a-z-]+" src\.cluster="Kubernetes" dst\.addr=[\d.]+:15008 dst\.hbone_addr=[\d.]+:9080 dst\.service="[a-z]+\.default\.svc\.cluster\.local" dst\.workload="[a-z0-9-]+" dst\.namespace="default" dst\.identity="spiffe:[^"]+" dst\.cluster="Kubernetes" direction=/);
    expect(inbound.some((l) => l.includes('dst.service="productpage.default.svc.cluster.local"') && !l.includes("src.identity") && /dst\.addr=[\d.]+:9080 /.test(l))).toBe(true);
    // One outbound line per connection the source ztunnels closed after the warm-up, matching the metric.
    const prom = renderPrometheus(out.recorder, out.summary);
    const closed = [...prom.matchAll(/^istio_tcp_connections_closed_total\{reporter="source".*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(outbound.length).toBe(closed);
  });

  it("gives each waypoint pass its own span (the waypoint's Envoy as local endpoint) when tracing is on", async () => {
    const { StringSink } = await import("../../src/telemetry/line-sink.js");
    const traces = new StringSink();
    const sc = load("waypoint-traffic-shifting.yaml");
    const out = runScenario({ ...sc, simulation: { ...sc.simulation, report: { ...sc.simulation.report, traces: { ...sc.simulation.report.traces, sample: 1 } } } }, { durationMs: 10_000, records: { traces } });
    const spans = JSON.parse(traces.text) as { kind?: string; localEndpoint: { serviceName: string }; parentId?: string; tags: Record<string, string> }[];
    const atWaypoint = spans.filter((s) => s.localEndpoint.serviceName === "waypoint.default");
    expect(atWaypoint.length).toBeGreaterThan(0);
    // productpage calls details and reviews through the waypoint once each per page.
    const pages = spans.filter((s) => s.tags["component"] === "app" && s.parentId === undefined).length;
    expect(atWaypoint.length).toBeGreaterThanOrEqual(2 * pages - 4);
    expect(out.summary.clients["users"]!.errorRate).toBe(0);
  });
});

describe("the ztunnel DaemonSet on the nodes", () => {
  // One node with 1 CPU allocatable; three replicas requesting 300m each. The ztunnel pod's 200m
  // (Istio's chart) leaves room for two.
  const yaml = (mode: string): string => `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ztunnel-capacity}
spec:
  seed: 1
  duration: 5s
  mesh: {mode: ${mode}}
---
apiVersion: v1
kind: Node
metadata: {name: small, labels: {topology.kubernetes.io/region: r, topology.kubernetes.io/zone: z, kubernetes.io/hostname: small}}
status:
  allocatable: {cpu: "1", memory: 8Gi, pods: "110"}
---
apiVersion: v1
kind: Service
metadata: {name: app}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
  selector: {app: app}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: 3
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers: [{name: app, image: a, resources: {requests: {cpu: 300m, memory: 64Mi}}}]
`;
  function runYaml(text: string) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-ambient-"));
    const file = path.join(dir, "capacity.yaml");
    fs.writeFileSync(file, text);
    return runScenario(loadScenario(file)).summary;
  }

  it("holds the chart's requests (200m, 512Mi) on its node: a pod that fits without ztunnel stays Pending", () => {
    const pending = (s: ReturnType<typeof runYaml>) => Object.entries(s.pods).filter(([n, p]) => n.startsWith("app-") && p.phase === "Pending").length;
    expect(pending(runYaml(yaml("none")))).toBe(0);
    const s = runYaml(yaml("ambient"));
    expect(pending(s)).toBe(1);
    expect(s.pods["ztunnel-small.istio-system"]?.phase).toBeUndefined();
  });
});

describe("a ztunnel killed on the timeline", () => {
  it("fails its node's ambient traffic until the DaemonSet's new pod is up, then it flows again", () => {
    const yaml = `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ztunnel-kill}
spec:
  seed: 5
  duration: 20s
  mesh: {mode: ambient, proxy: {startupTime: {dist: constant, value: 3s}}}
  timeline:
  - at: 8s
    kill: {pod: ztunnel-node, namespace: istio-system}
---
apiVersion: v1
kind: Service
metadata: {name: server}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
  selector: {app: server}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  replicas: 2
  selector: {matchLabels: {app: server}}
  template:
    metadata: {labels: {app: server}}
    spec:
      containers: [{name: server, image: s}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  replicas: 1
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec:
      containers: [{name: client, image: c}]
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: load}
spec:
  from: client
  target: http://server:80/
  rate: 100
`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-ambient-"));
    const file = path.join(dir, "kill.yaml");
    fs.writeFileSync(file, yaml);
    const s = runScenario(loadScenario(file)).summary;
    const events = s.events as { t: number; kind: string; detail: Record<string, unknown> }[];
    const down = events.find((e) => e.kind === "ztunnel-down")!;
    const up = events.find((e) => e.kind === "ztunnel-up")!;
    expect(down.t).toBe(8);
    expect(up.t).toBe(11);
    // About 3 s of 100 rps fail (the connection to ztunnel's redirect is refused); the rest succeed.
    const c = s.clients["load"]!;
    const failed = c.requests - (c.codes["200"] ?? 0);
    expect(failed).toBeGreaterThan(250);
    expect(failed).toBeLessThan(350);
  });

  it("rejects a ztunnel pod name that names no node, with the file position", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-ambient-"));
    const file = path.join(dir, "bad.yaml");
    fs.writeFileSync(file, `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: bad}
spec:
  duration: 5s
  mesh: {mode: ambient}
  timeline:
  - at: 1s
    kill: {pod: ztunnel-nowhere, namespace: istio-system}
`);
    expect(() => loadScenario(file)).toThrow(/bad\.yaml:9:\d+: error: .*no pod "ztunnel-nowhere" in namespace "istio-system"/);
  });
});
