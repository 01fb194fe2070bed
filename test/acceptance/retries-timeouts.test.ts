// Envoy's router semantics for timeouts and retries as Istio configures them.
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPRetry
import { describe, expect, it } from "vitest";
import { counters, runCli } from "./meshsim-cli.js";
import { mesh, sumPods } from "./mesh-fixture.js";

const vs = (http: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: server}
spec:
  hosts: [server]
  http: [{route: [{destination: {host: server}}], ${http}}]`;

describe.concurrent("route timeout and per-try timeout", () => {
  // Envoy: "the route timeout ... includes all retries"; its expiry is 504 UT and is not retried.
  // https://www.envoyproxy.io/docs/envoy/latest/faq/configuration/timeouts#route-timeouts
  it("the route timeout bounds all tries together: 5xx retried every ~400 ms, page cut at 1 s with 504 UT", async () => {
    const s = await runCli(mesh({
      name: "acc-route-timeout-retries", duration: "10s",
      servers: [{ name: "server", behaviour: "serviceTime: 400ms, errorRate: 1" }],
      load: "rate: 10",
      istio: vs("timeout: 1s, retries: {attempts: 5, retryOn: 5xx}"),
    }));
    const c = s.clients["client"]!;
    expect(c.codes["504"]).toBe(c.requests);
    expect(c.flags["UT"]).toBe(c.requests);
    expect(c.latencyMs.p50).toBeGreaterThanOrEqual(1000);
    expect(c.latencyMs.max).toBeLessThan(1010);
    // Three tries start within the second (400 ms + back-off each), never six.
    const tries = s.pods["server-0"]!.requests / c.requests;
    expect(tries).toBeGreaterThan(2.5);
    expect(tries).toBeLessThanOrEqual(3);
  });

  // Istio's documented example `retries: {attempts: 3, perTryTimeout: 2s}` against a server that
  // needs 5 s. Envoy retries a per-try timeout only when retry_on has 5xx, gateway-error or reset
  // (router.cc onPerTryTimeout → shouldRetryReset; retry_state_impl.cc wouldRetryFromReset), and
  // Istio fills retryOn with its default (connect-failure,refused-stream,unavailable,cancelled,
  // retriable-status-codes) when it is left out: so the first per-try timeout is final, 504 UT at 2 s.
  it("attempts 3 and perTryTimeout 2s with Istio's default retryOn: one try, 504 UT after 2 s", async () => {
    const s = await runCli(mesh({
      name: "acc-per-try-default", duration: "10s",
      servers: [{ name: "server", behaviour: "serviceTime: 5s" }],
      load: "rate: 2",
      istio: vs("retries: {attempts: 3, perTryTimeout: 2s}"),
    }));
    const c = s.clients["client"]!;
    expect(c.codes["504"]).toBe(c.requests);
    expect(c.flags["UT"]).toBe(c.requests);
    expect(c.latencyMs.p50).toBeGreaterThanOrEqual(2000);
    expect(c.latencyMs.max).toBeLessThan(2010);
    expect(s.pods["server-0"]!.requests).toBe(c.requests);
  });

  it("attempts 3, perTryTimeout 2s, retryOn 5xx: four tries of 2 s plus back-off, then 504 UT (URX)", async () => {
    const s = await runCli(mesh({
      name: "acc-per-try-5xx", duration: "20s",
      servers: [{ name: "server", behaviour: "serviceTime: 5s" }],
      load: "rate: 2",
      istio: vs("retries: {attempts: 3, perTryTimeout: 2s, retryOn: 5xx}"),
    }));
    const c = s.clients["client"]!;
    expect(c.codes["504"]).toBe(c.requests);
    expect(c.latencyMs.p50).toBeGreaterThanOrEqual(8000);
    // Back-offs before retries 1..3 are below 25 + 50 + 100 ms (backoff_strategy.cc, see below).
    expect(c.latencyMs.max).toBeLessThan(8000 + 175 + 10);
    expect(Object.keys(c.flags).every((f) => f.includes("UT"))).toBe(true);
    expect(s.pods["server-0"]!.requests).toBe(4 * c.requests);
  });

  it("a route timeout shorter than perTryTimeout × tries ends the request at the route timeout", async () => {
    const s = await runCli(mesh({
      name: "acc-per-try-route", duration: "20s",
      servers: [{ name: "server", behaviour: "serviceTime: 5s" }],
      load: "rate: 2",
      istio: vs("timeout: 3s, retries: {attempts: 3, perTryTimeout: 2s, retryOn: 5xx}"),
    }));
    const c = s.clients["client"]!;
    expect(c.codes["504"]).toBe(c.requests);
    expect(c.latencyMs.p50).toBeGreaterThanOrEqual(3000);
    expect(c.latencyMs.max).toBeLessThan(3010);
    expect(s.pods["server-0"]!.requests).toBe(2 * c.requests);
  });
});

// The per-try timer starts when the try has a connection, not when it enters the pool: Envoy's
// UpstreamRequest::onPoolReady calls setupPerTryTimeout (envoyproxy/envoy
// source/common/router/upstream_request.cc); time pending for a connection counts against the route
// timeout and connect_timeout only. The docs' "timeout per retry attempt (including the initial
// attempt)" (RetryPolicy.per_try_timeout) reads as if it covered the wait too. docs/docs-vs-source.md.
describe.concurrent("when the per-try timer starts", () => {
  const DR = (tcp: string) => `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec:
  host: server
  trafficPolicy:
    connectionPool:
      tcp: {${tcp}}
      http: {http1MaxPendingRequests: 100}`;

  // One sidecar worker, one connection (maxConnections 1): of two callers one is served (400 ms)
  // while the other waits for the connection, then is served (400 ms). perTryTimeout 600 ms covers
  // each try's 400 ms on the connection; had it started in the pool, every waiting call would end
  // at 600 ms with 504 UT (Istio's default retryOn does not retry it).
  it("time pending for a connection (maxConnections 1) does not count against perTryTimeout", async () => {
    const s = await runCli(mesh({
      name: "acc-per-try-pending", duration: "20s",
      spec: "  mesh: {proxy: {concurrency: 1}}",
      servers: [{ name: "server", behaviour: "serviceTime: 400ms" }],
      load: "connections: 2, qps: 0, requests: 20",
      istio: vs("retries: {attempts: 2, perTryTimeout: 600ms}") + DR("maxConnections: 1"),
    }));
    const c = s.clients["client"]!;
    expect(c.requests).toBe(20);
    expect(c.codes["200"]).toBe(20);
    expect(c.flags["UT"] ?? 0).toBe(0);
    // The waiting calls take two service times.
    expect(c.latencyMs.max).toBeGreaterThan(790);
    expect(c.latencyMs.max).toBeLessThan(820);
  });

  // A host that never answers the SYN (its node vanished): the connect runs to connect_timeout (2 s),
  // then 503 UF, a connect failure Istio's default retryOn retries (twice, the same single host):
  // three connects of 2 s plus back-off, never a per-try timeout at 500 ms.
  it("a connect to a blackholed host runs to connect_timeout, not to perTryTimeout", async () => {
    const s = await runCli(mesh({
      name: "acc-per-try-connect", duration: "30s",
      spec: "  timeline:\n  - at: 0s\n    kill: {deployment: server, count: 1, network: blackhole}",
      servers: [{ name: "server", behaviour: "serviceTime: 1ms" }],
      // One caller at a time: Envoy fails every request pending on a host when one of its
      // connects fails (ConnPoolImplBase::onConnectionEvent, purgePendingStreams). fortio's -timeout
      // raised from its 3 s default, which the three connects outlast.
      load: "connections: 1, qps: 0, requests: 4, timeout: 60s",
      istio: vs("retries: {attempts: 2, perTryTimeout: 500ms}") + DR("connectTimeout: 2s"),
    }));
    const c = s.clients["client"]!;
    expect(c.requests).toBe(4);
    expect(c.codes["503"]).toBe(4);
    expect(c.flags["UT"] ?? 0).toBe(0);
    expect(c.flags["URX,UF"]).toBe(c.requests);
    // Back-off before retries 1 and 2: under 25 + 50 ms.
    expect(c.latencyMs.p50).toBeGreaterThanOrEqual(6000);
    expect(c.latencyMs.max).toBeLessThan(6000 + 75 + 10);
  });
});

describe.concurrent("which outcomes are retried", () => {
  // Istio ≥ 1.24 removed 503 from the default retriable_status_codes (EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY,
  // https://istio.io/latest/news/releases/1.24.x/announcing-1.24/change-notes/): an upstream 503 is
  // no longer retried by default, nor a 500.
  it("Istio's default policy does not retry an upstream 500 or 503", async () => {
    const [s, busy] = await Promise.all([
      runCli(mesh({
        name: "acc-default-no-500", duration: "10s",
        servers: [{ name: "server", behaviour: "serviceTime: 1ms, errorRate: 1" }],
        load: "rate: 20",
      })),
      // The app answers 503 itself while its one slot is busy (no queue).
      runCli(mesh({
        name: "acc-default-no-503", duration: "5s",
        servers: [{ name: "server", behaviour: "concurrency: 1, queueLimit: 0, serviceTime: 10s" }],
        load: "rate: 20",
      })),
    ]);
    const c = s.clients["client"]!;
    expect(c.codes["500"]).toBe(c.requests);
    expect(s.pods["server-0"]!.requests).toBe(c.requests);
    const b = busy.clients["client"]!;
    expect(b.codes["503"]).toBeGreaterThan(50);
    expect(b.flags["URX"] ?? 0).toBe(0);
    expect(busy.pods["server-0"]!.requests).toBe(b.requests);
  });

  it("retryOn \"503\" (a status code) retries exactly 503s: two retries each", async () => {
    const s = await runCli(mesh({
      name: "acc-retry-503", duration: "5s",
      servers: [{ name: "server", behaviour: "concurrency: 1, queueLimit: 0, serviceTime: 10s" }],
      load: "rate: 20",
      istio: vs('retries: {attempts: 2, retryOn: "503"}'),
    }));
    const c = s.clients["client"]!;
    expect(c.flags["URX"]).toBe(c.codes["503"]);
    expect(s.pods["server-0"]!.requests).toBe(3 * c.codes["503"]! + (c.codes["200"] ?? 0));
  });

  it("retryOn 5xx with attempts 3 makes four tries and returns the last 500 with URX", async () => {
    const s = await runCli(mesh({
      name: "acc-5xx-urx", duration: "10s",
      servers: [{ name: "server", replicas: 2, behaviour: "serviceTime: 1ms, errorRate: 1" }],
      load: "rate: 20",
      istio: vs("retries: {attempts: 3, retryOn: 5xx}"),
    }));
    const c = s.clients["client"]!;
    expect(c.codes["500"]).toBe(c.requests);
    expect(c.flags["URX"]).toBe(c.requests);
    expect(sumPods(s.pods, "server-")).toBe(4 * c.requests);
  });

  it("retryOn gateway-error does not retry a 500", async () => {
    const s = await runCli(mesh({
      name: "acc-gateway-500", duration: "10s",
      servers: [{ name: "server", behaviour: "serviceTime: 1ms, errorRate: 1" }],
      load: "rate: 20",
      istio: vs("retries: {attempts: 3, retryOn: gateway-error}"),
    }));
    expect(s.pods["server-0"]!.requests).toBe(s.clients["client"]!.requests);
  });

  // Istio's retry_host_predicate previous_hosts with host_selection_retry_max_attempts 5: Envoy
  // re-draws a host already tried up to 5 times, so a retry lands on the same bad host again only
  // when 6 draws in a row pick it (< 0.5^5).
  it("a retry goes to another host (previous_hosts): one bad pod of two, retryOn 5xx, attempts 1: almost no errors", async () => {
    const s = await runCli(mesh({
      name: "acc-previous-hosts", duration: "10s",
      servers: [
        { name: "good", behaviour: "serviceTime: 1ms" },
        { name: "bad", behaviour: "serviceTime: 1ms, errorRate: 1" },
      ],
      load: "rate: 50",
      istio: vs("retries: {attempts: 1, retryOn: 5xx}"),
    }));
    expect(s.clients["client"]!.errorRate).toBeLessThan(0.5 ** 5);
    expect(s.pods["bad-0"]!.requests).toBeGreaterThan(100);
  });
});

// Envoy's documentation says the wait before retry N is in [0, (2^N−1)·25 ms) — 0–24, 0–74, 0–174 ms
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter#x-envoy-max-retries
// — but since Envoy 1.14 the router's JitteredExponentialBackOffStrategy::nextBackOffMs
// (envoyproxy/envoy source/common/common/backoff_strategy.cc) returns random() % interval with the
// interval 25, 50, 100, 200, 250 ms (doubling while below max/2, max = 10 × base from
// source/common/router/retry_state_impl.cc). meshsim models the source.
describe.concurrent("retry back-off", () => {
  it("three retries of an instant 500 wait 0–24, 0–49 and 0–99 ms: mean ≈ 86 ms, never more than 172 ms", async () => {
    const s = await runCli(mesh({
      name: "acc-backoff", duration: "60s",
      servers: [{ name: "server", behaviour: "serviceTime: 0ms, errorRate: 1" }],
      load: "rate: 20",
      istio: vs("retries: {attempts: 3, retryOn: 5xx}"),
    }));
    const c = s.clients["client"]!;
    expect(c.requests).toBeGreaterThan(1000);
    // Mean of whole-ms uniform[0,25)+[0,50)+[0,100) is 86 ms (the documented formula: 136 ms); the
    // four tries' own network and proxy time add ≈ 7 ms (measured 92.8 ms at seed 1); the standard
    // error over 1,200 requests is ≈ 1 ms.
    expect(c.latencyMs.mean).toBeGreaterThan(86);
    expect(c.latencyMs.mean).toBeLessThan(100);
    // Worst case 24 + 49 + 99 = 172 ms (documented: 272 ms).
    expect(c.latencyMs.max).toBeLessThan(190);
  });

  // Past the cap the *range* is 10 × base and the wait is drawn uniformly inside it (random() %
  // interval, never max itself): 7 retries with a 10 ms base wait inside 10, 20, 40, 80, then
  // 100, 100, 100 ms: 4.5+9.5+19.5+39.5+3·49.5 ≈ 221.5 ms on average, at most 443 ms.
  // (The documented formula: ranges 10, 30, 70, then 100 ×4 ⇒ ≈ 252 ms, at most 503 ms.)
  it("past the cap every wait is uniform below 10 × base: 7 retries with a 10 ms base take ≈ 4.5+9.5+19.5+39.5+3·49.5 ms", async () => {
    const s = await runCli(mesh({
      name: "acc-backoff-cap", duration: "60s",
      servers: [{ name: "server", behaviour: "serviceTime: 0ms, errorRate: 1" }],
      load: "rate: 20",
      istio: vs("retries: {attempts: 7, retryOn: 5xx, backoff: 10ms}"),
    }));
    const c = s.clients["client"]!;
    // Eight tries add a few ms of network and proxy time (with the istio-1.24 proxy profile: measured
    // mean 224.5 ms at seed 1; standard error ≈ 1.6 ms); the documented formula would give ≈ 266 ms.
    expect(c.latencyMs.max).toBeLessThan(443 + 25);
    expect(c.latencyMs.mean).toBeGreaterThan(221.5 - 4 * 1.6);
    expect(c.latencyMs.mean).toBeLessThan(246);
  });
});

// Each retry needs a token of the cluster's max_retries circuit breaker (DestinationRule
// connectionPool.http.maxRetries); without one Envoy does not retry, counts
// upstream_rq_retry_overflow and flags UO, returning the last answer.
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/circuit_breaking
describe.concurrent("max_retries circuit breaker", () => {
  it("maxRetries: 1 with many concurrent failing requests: retries overflow (UO), counted as upstream_rq_retry_overflow", async () => {
    const s = await runCli(mesh({
      name: "acc-retry-overflow", duration: "10s",
      servers: [{ name: "server", behaviour: "serviceTime: 50ms, errorRate: 1" }],
      load: "rate: 200",
      istio: `${vs("retries: {attempts: 2, retryOn: 5xx}")}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec:
  host: server
  trafficPolicy: {connectionPool: {http: {maxRetries: 1}}}`,
    }));
    const c = s.clients["client"]!;
    const k = counters(s, "client", "server");
    expect(k["upstream_rq_retry_overflow"]).toBeGreaterThan(0);
    expect(c.flags["UO"]).toBe(k["upstream_rq_retry_overflow"]);
    // The overflowed requests still carry the upstream's own 500, not a local 503.
    expect(c.codes["500"]).toBe(c.requests);
    expect(c.codes["503"] ?? 0).toBe(0);
  });
});

// DestinationRule trafficPolicy.retryBudget → Envoy's retry_budget, which replaces max_retries:
// "the limit on concurrent retries as a percentage of the sum of active requests and active pending
// requests" (default 20 %), never below min_retry_concurrency (default 3). Istio's own max_retries
// default (2^32-1) never stops a retry.
// https://istio.io/latest/docs/reference/config/networking/destination-rule/#TrafficPolicy-RetryBudget
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/circuit_breaker.proto#config-cluster-v3-circuitbreakers-thresholds-retrybudget
describe.concurrent("retry budget", () => {
  const run = (budget: string) => runCli(mesh({
    name: `acc-retry-budget${budget === "" ? "-none" : ""}`, duration: "5s",
    servers: [{ name: "server", behaviour: "serviceTime: 50ms, errorRate: 1" }],
    load: "rate: 200",
    istio: `${vs("retries: {attempts: 2, retryOn: 5xx}")}${budget === "" ? "" : `
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec:
  host: server
  trafficPolicy: {retryBudget: ${budget}}`}`,
  }));

  it("without one, Istio's max_retries (2^32-1) lets every retry run: three tries per request", async () => {
    const s = await run("");
    expect(counters(s, "client", "server")["upstream_rq_retry_overflow"]).toBe(0);
    expect(s.pods["server-0"]!.requests).toBe(3 * s.clients["client"]!.requests);
  });

  it("the default budget (20 %, at least 3) refuses most retries of a failing service (UO, upstream_rq_retry_overflow)", async () => {
    const s = await run("{}");
    const c = s.clients["client"]!;
    const k = counters(s, "client", "server");
    expect(k["upstream_rq_retry_overflow"]).toBeGreaterThan(c.requests / 2);
    expect(c.flags["UO"]).toBe(k["upstream_rq_retry_overflow"]);
    expect(s.pods["server-0"]!.requests).toBeLessThan(2 * c.requests);
  });

  it("minRetryConcurrency above the retries ever in flight lets every retry run", async () => {
    const s = await run("{percent: 20, minRetryConcurrency: 1000}");
    expect(counters(s, "client", "server")["upstream_rq_retry_overflow"]).toBe(0);
  });
});
