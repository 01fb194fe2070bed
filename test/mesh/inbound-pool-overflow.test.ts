// The server side of a hop has a connection pool too: istiod writes the service's DestinationRule
// connectionPool on the server's inbound cluster (cluster_builder.go buildInboundCluster), and the
// inbound router takes a place in it after the inbound filter chain, as the client's router does.
// Many clients that each stay within their own limits can overwhelm one server pod: its sidecar
// answers 503 UO itself (reporter=destination), with x-envoy-overloaded, which the clients' routers
// never retry (envoyproxy/envoy source/common/router/retry_policy_impl.cc wouldRetryFromHeaders).
// Before this revision the inbound sidecar handed every request straight to the app: no 503 at all.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { renderPrometheus } from "../../src/report/prometheus.js";
import { convertRetryPolicy, isRetriable, OUTCOME_OVERLOADED_503 } from "../../src/proxy/route/retry-policy.js";
import { loadScenario } from "../../src/scenario/index.js";
import path from "node:path";

/** `n` client pods, each with one fortio connection of its own, against one server pod. */
function fleet(n: number, serverPool: string, extra = ""): string {
  let lgs = "";
  for (let i = 0; i < n; i++) {
    lgs += `
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client-${i}}
spec:
  replicas: 1
  selector: {matchLabels: {app: client-${i}}}
  template:
    metadata: {labels: {app: client-${i}}}
    spec: {containers: [{name: fortio, image: fortio}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: load-${i}}
spec: {from: client-${i}, target: "http://server:8000/get", connections: 1, requests: 100, qps: 0}
`;
  }
  return `
apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: inbound-overflow}
spec: {seed: 1, duration: 5s}
---
apiVersion: v1
kind: Service
metadata: {name: server}
spec:
  ports: [{name: http, port: 8000, targetPort: 8080}]
  selector: {app: server}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  replicas: 1
  selector: {matchLabels: {app: server}}
  template:
    metadata: {labels: {app: server}}
    spec: {containers: [{name: server, image: httpbin, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: server}
spec:
  selector: {app: server}
  serviceTime: {dist: lognormal, median: 1ms, p99: 3ms}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec:
  host: server
  trafficPolicy:
    connectionPool:
${serverPool}
${extra}${lgs}`;
}

const TIGHT = "      tcp: {maxConnections: 1}\n      http: {http1MaxPendingRequests: 1}";

function run(yaml: string) {
  return runScenario(scenarioFrom(yaml), { seed: 1 });
}

describe("the server sidecar's inbound pool", () => {
  it("eight clients within their own limits overwhelm one server pod: its sidecar refuses with 503 UO, bounded by the limits", () => {
    const out = run(fleet(8, TIGHT));
    const s = out.summary;
    let ok = 0, refused = 0, clientOverflow = 0;
    for (let i = 0; i < 8; i++) {
      const c = s.clients[`load-${i}`]!;
      expect(c.requests).toBe(100);
      ok += c.codes["200"] ?? 0;
      refused += c.codes["503"] ?? 0;
      clientOverflow += s.clusters[`client-${i}`]?.["outbound|8000||server.default.svc.cluster.local"]?.upstream_rq_pending_overflow ?? 0;
    }
    // One connection at a time per client: the clients' own pools never refuse.
    expect(clientOverflow).toBe(0);
    const ib = s.clusters["server"]!["inbound|8080||"]!;
    // Every 503 is the server sidecar's overflow, and none was retried (x-envoy-overloaded).
    expect(refused).toBeGreaterThan(100);
    expect(ib.upstream_rq_pending_overflow).toBe(refused);
    expect(ib.upstream_rq_total).toBe(ok);
    for (let i = 0; i < 8; i++) expect(s.clusters[`client-${i}`]!["outbound|8000||server.default.svc.cluster.local"]!.upstream_rq_retry).toBe(0);
    // maxConnections 1, but Envoy opens one connection in each empty worker pool: at most 2 (2 workers).
    expect(ib.upstream_cx_total).toBeLessThanOrEqual(2);
    // So the app never serves more than two at once.
    expect(s.pods["server-0"]!.meanBusy).toBeLessThanOrEqual(2);
    // The clients' sidecars (source reporter) saw a 503 from upstream, not a flag of their own.
    const edges = s.edges.filter((e) => e.destination === "server" && e.reporter === "source");
    expect(edges).toHaveLength(8);
    expect(edges.reduce((n, e) => n + (e.codes["503"] ?? 0), 0)).toBe(refused);
    for (const e of edges) expect(e.flags["UO"] ?? 0).toBe(0);
  });

  it("the server's reporter records the 503s with flag UO (istio_requests_total, reporter=destination)", () => {
    const out = run(fleet(8, TIGHT));
    const prom = renderPrometheus(out.recorder, out.summary);
    // One series per client workload.
    const lines = prom.split("\n").filter((l) => l.startsWith("istio_requests_total{reporter=\"destination\"") && l.includes('response_code="503"') && l.includes('response_flags="UO"'));
    expect(lines).toHaveLength(8);
    const total = lines.reduce((n, l) => n + Number(l.split(" ").pop()), 0);
    expect(total).toBe(out.summary.clusters["server"]!["inbound|8080||"]!.upstream_rq_pending_overflow);
  });

  it("without a pool in the DestinationRule nothing is refused and no inbound cluster is counted", () => {
    const out = run(fleet(8, "      tcp: {connectTimeout: 5s}"));
    let refused = 0;
    for (let i = 0; i < 8; i++) refused += out.summary.clients[`load-${i}`]!.codes["503"] ?? 0;
    expect(refused).toBe(0);
    expect(out.summary.clusters["server"]).toBeUndefined();
  });

  it("a Sidecar's inboundConnectionPool on the server replaces the DR's pool: a roomy one refuses nothing", () => {
    const out = run(fleet(8, TIGHT, `---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: server}
spec:
  workloadSelector: {labels: {app: server}}
  inboundConnectionPool:
    tcp: {maxConnections: 100}
    http: {http1MaxPendingRequests: 100}
`));
    let refused = 0;
    for (let i = 0; i < 8; i++) refused += out.summary.clients[`load-${i}`]!.codes["503"] ?? 0;
    expect(refused).toBe(0);
    const ib = out.summary.clusters["server"]!["inbound|8080||"]!;
    expect(ib.upstream_rq_pending_overflow).toBe(0);
    expect(ib.upstream_rq_total).toBe(800);
  });

  it("a server-side 503 UO is a 5xx from upstream to the client's outlier detection (unlike the client's own overflow)", () => {
    // envoyproxy/envoy source/common/router/router.cc (Filter::onUpstreamHeaders calls
    // putHttpResponseCode for every upstream answer; x-envoy-overloaded only stops retries).
    const od = "    outlierDetection: {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 3m, maxEjectionPercent: 100}";
    const out = run(fleet(8, TIGHT + "\n" + od));
    expect(out.summary.pods["server-0"]!.ejections).toBeGreaterThan(0);
    let uh = 0;
    for (let i = 0; i < 8; i++) uh += out.summary.edges.find((e) => e.source === `client-${i}` && e.destination === "unknown")?.flags["UH"] ?? 0;
    expect(uh).toBeGreaterThan(0);
  });

  it("maxRequestsPerConnection: 1 on the server side: a new loopback connection to the app per request", () => {
    const out = run(fleet(2, "      http: {maxRequestsPerConnection: 1}"));
    const ib = out.summary.clusters["server"]!["inbound|8080||"]!;
    expect(ib.upstream_rq_total).toBe(200);
    expect(ib.upstream_cx_total).toBe(200);
    expect(ib.upstream_cx_max_requests).toBe(200);
  });
});

describe("a server sidecar's 503 UO is never retried by the client (x-envoy-overloaded)", () => {
  it("a policy that retries every 5xx retries a plain 503 but not an overloaded one", () => {
    const p = convertRetryPolicy({ attempts: 3, retryOn: "5xx" });
    expect(isRetriable(p, { kind: "response", status: 503 })).toBe(true);
    expect(isRetriable(p, OUTCOME_OVERLOADED_503)).toBe(false);
    expect(isRetriable(convertRetryPolicy({ attempts: 3, retryOn: "retriable-status-codes,503" }), OUTCOME_OVERLOADED_503)).toBe(false);
  });
});

describe("scenarios/resilience/server-side-overflow.yaml", () => {
  it("its expectations hold, and most 503s are the server sidecar's", () => {
    const out = runScenario(loadScenario(path.resolve(import.meta.dirname, "../../scenarios/resilience/server-side-overflow.yaml")), { seed: 1 });
    expect(out.summary.expectations.length).toBeGreaterThan(0);
    expect(out.summary.expectations.filter((e) => !e.ok)).toEqual([]);
    const server = out.summary.clusters["httpbin"]!["inbound|8080||"]!.upstream_rq_pending_overflow;
    const client = out.summary.clusters["fortio-fleet"]!["outbound|8000||httpbin.default.svc.cluster.local"]!.upstream_rq_pending_overflow;
    expect(server).toBeGreaterThan(10 * client);
    expect(out.summary.clients["fleet"]!.codes["503"]).toBe(server + client);
  });
});
