// Envoy's cluster statistics for timeouts and retries, counted where Envoy's router and retry state
// count them:
// - router.cc Filter::onPerTryTimeout → upstream_rq_per_try_timeout, once per try (not
//   upstream_rq_timeout); Filter::onResponseTimeout → upstream_rq_timeout, once per try in flight.
// - retry_state_impl.cc RetryStateImpl::shouldRetry → upstream_rq_retry_success when the try after a
//   retry needs no retry; upstream_rq_retry_limit_exceeded when a retriable answer finds no retries left.
// https://www.envoyproxy.io/docs/envoy/latest/configuration/upstream/cluster_manager/cluster_stats
import { describe, expect, it } from "vitest";
import { counters, runCli } from "../acceptance/meshsim-cli.js";
import { mesh } from "../acceptance/mesh-fixture.js";

const vs = (http: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: server}
spec:
  hosts: [server]
  http: [{route: [{destination: {host: server}}], ${http}}]`;

describe.concurrent("Envoy cluster stats of timeouts and retries", () => {
  it("a per-try timeout counts in upstream_rq_per_try_timeout once per try, never in upstream_rq_timeout", async () => {
    const s = await runCli(mesh({
      name: "stats-per-try", duration: "20s",
      servers: [{ name: "server", behaviour: "serviceTime: 5s" }],
      load: "rate: 2",
      istio: vs("retries: {attempts: 3, perTryTimeout: 2s, retryOn: 5xx}"),
    }));
    const k = counters(s, "client", "server");
    const c = s.clients["client"]!;
    expect(k["upstream_rq_timeout"]).toBe(0);
    // Four tries per finished request, each timed out; tries of unfinished requests may have too.
    expect(k["upstream_rq_per_try_timeout"]).toBeGreaterThanOrEqual(4 * c.requests);
    expect(k["upstream_rq_per_try_timeout"]! + k["upstream_rq_active"]!).toBe(k["upstream_rq_total"]);
    expect(k["upstream_rq_retry_limit_exceeded"]).toBe(c.requests);
    expect(k["upstream_rq_retry_success"]).toBe(0);
    expect(c.flags["URX,UT"]).toBe(c.requests);
  });

  it("a route timeout counts the try in flight in upstream_rq_timeout", async () => {
    const s = await runCli(mesh({
      name: "stats-route-timeout", duration: "10s",
      servers: [{ name: "server", behaviour: "serviceTime: 5s" }],
      load: "rate: 5",
      istio: vs("timeout: 1s"),
    }));
    const k = counters(s, "client", "server");
    const c = s.clients["client"]!;
    expect(c.flags["UT"]).toBe(c.requests);
    expect(k["upstream_rq_timeout"]).toBe(c.requests);
    expect(k["upstream_rq_per_try_timeout"]).toBe(0);
  });

  it("a retried request whose next try succeeds is a retry success; one that runs out is a limit exceeded", async () => {
    const s = await runCli(mesh({
      name: "stats-retry-success", duration: "20s",
      servers: [{ name: "server", behaviour: "serviceTime: 1ms, errorRate: 0.5" }],
      load: "rate: 50",
      istio: vs("retries: {attempts: 2, retryOn: 5xx}"),
    }));
    const k = counters(s, "client", "server");
    const c = s.clients["client"]!;
    // Every request ends: 200 after 0, 1 or 2 retries, or 500 URX after 2.
    expect(k["upstream_rq_retry_limit_exceeded"]).toBe(c.flags["URX"]);
    const retried = k["upstream_rq_retry_success"]! + k["upstream_rq_retry_limit_exceeded"]!;
    // Requests with a retry: about half of them (errorRate 0.5 on the first try).
    expect(retried / c.requests).toBeGreaterThan(0.45);
    expect(retried / c.requests).toBeLessThan(0.55);
    // Of those, 1 - 0.25 / 0.5 = 75 % succeed on a retry.
    expect(k["upstream_rq_retry_success"]! / retried).toBeGreaterThan(0.7);
    expect(k["upstream_rq_retry_success"]! / retried).toBeLessThan(0.8);
    // One or two retries each for those that succeeded, two for those that ran out.
    expect(k["upstream_rq_retry"]).toBeGreaterThan(retried);
    expect(k["upstream_rq_retry"]).toBeLessThanOrEqual(2 * retried);
  });
});

