// What Envoy answers when routing cannot complete, and how its load balancers spread requests.
// https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage (response flags)
// https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers
import { describe, expect, it } from "vitest";
import type { Summary } from "../../src/report/summary-types.js";
import { edges, runCli } from "./meshsim-cli.js";
import { mesh } from "./mesh-fixture.js";

const THREE_PODS = [1, 2, 3].map((i) => ({ name: `server-${i}`, version: `v${i}`, behaviour: "serviceTime: 2ms" }));
const SUBSETS = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec:
  host: server
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}}
  - {name: v9, labels: {version: v9}}`;

function share(s: Summary, pod: string): number {
  const total = Object.values(s.pods).reduce((n, p) => n + p.requests, 0);
  return s.pods[pod]!.requests / total;
}

describe.concurrent("when routing cannot complete", () => {
  // "NR: No route configured for a given request" → 404; Istio adds no fallback route.
  it("a VirtualService whose only rule does not match answers 404 NR, and nothing reaches a pod", async () => {
    const s = await runCli(mesh({
      name: "acc-nr", duration: "5s", servers: [THREE_PODS[0]!], load: "rate: 20",
      istio: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: server}
spec:
  hosts: [server]
  http: [{match: [{uri: {prefix: /api}}], route: [{destination: {host: server}}]}]`,
    }));
    const c = s.clients["client"]!;
    expect(c.codes["404"]).toBe(c.requests);
    expect(c.flags["NR"]).toBe(c.requests);
    expect(s.pods["server-1-0"]!.requests).toBe(0);
  });

  // A destination subset no DestinationRule defines: the route names a cluster Envoy does not have
  // → cluster_not_found_response_code 503 with flag NC. With weights, only that share fails.
  it("weights 50/50 to a defined subset and a missing one: about half the requests get 503 NC", async () => {
    const s = await runCli(mesh({
      name: "acc-nc", duration: "10s", servers: THREE_PODS, load: "rate: 100",
      istio: `${SUBSETS}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: server}
spec:
  hosts: [server]
  http: [{route: [{destination: {host: server, subset: v1}, weight: 50}, {destination: {host: server, subset: missing}, weight: 50}]}]`,
    }));
    const c = s.clients["client"]!;
    const nc = c.flags["NC"] ?? 0;
    expect(c.codes["503"]).toBe(nc);
    const sigma = Math.sqrt(c.requests * 0.25);
    expect(Math.abs(nc - c.requests / 2)).toBeLessThan(3 * sigma);
    expect(c.codes["200"]).toBe(s.pods["server-1-0"]!.requests);
  });

  // A defined subset whose labels match no pod: the cluster exists but is empty → 503 UH.
  it("a subset matching no pod answers 503 UH (no healthy upstream)", async () => {
    const s = await runCli(mesh({
      name: "acc-uh", duration: "5s", servers: THREE_PODS, load: "rate: 20",
      istio: `${SUBSETS}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: server}
spec:
  hosts: [server]
  http: [{route: [{destination: {host: server, subset: v9}}]}]`,
    }));
    const c = s.clients["client"]!;
    expect(c.codes["503"]).toBe(c.requests);
    expect(c.flags["UH"]).toBe(c.requests);
    expect(edges(s, "client").every((e) => e.destination === "unknown")).toBe(true);
  });
});

describe.concurrent("mirroring", () => {
  // "responses to the mirrored traffic are ignored" — the client sees only the primary's answers.
  // https://istio.io/latest/docs/tasks/traffic-management/mirroring/
  it("the client never sees the mirror's slow failures, and the mirror receives every request", async () => {
    const s = await runCli(mesh({
      name: "acc-mirror", duration: "10s",
      servers: [
        { name: "server-1", version: "v1", behaviour: "serviceTime: 2ms" },
        { name: "server-2", version: "v2", behaviour: "serviceTime: 1s, errorRate: 1" },
      ],
      load: "rate: 20",
      istio: `${SUBSETS}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: server}
spec:
  hosts: [server]
  http:
  - route: [{destination: {host: server, subset: v1}, weight: 100}]
    mirror: {host: server, subset: v2}
    mirrorPercentage: {value: 100.0}`,
    }));
    const c = s.clients["client"]!;
    expect(c.errorRate).toBe(0);
    expect(c.latencyMs.max).toBeLessThan(50);
    expect(s.pods["server-2-0"]!.requests).toBeGreaterThanOrEqual(s.pods["server-1-0"]!.requests - 20);
  });
});

describe.concurrent("load balancing", () => {
  it("ROUND_ROBIN over three equal pods gives each a third", async () => {
    const s = await runCli(mesh({
      name: "acc-rr", duration: "10s", servers: THREE_PODS, load: "rate: 300",
      istio: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec: {host: server, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}}`,
    }));
    for (const p of ["server-1-0", "server-2-0", "server-3-0"]) {
      expect(share(s, p)).toBeGreaterThan(0.33 - 0.01);
      expect(share(s, p)).toBeLessThan(0.34 + 0.01);
    }
  });

  // Istio's default since 1.14 is LEAST_REQUEST (Envoy P2C, choice_count 2): a slow pod holds more
  // requests in flight, so it loses most two-way comparisons and gets less than an equal share;
  // ROUND_ROBIN ignores load and gives it exactly half.
  it("LEAST_REQUEST (Istio's default) sends less to a slow pod; ROUND_ROBIN sends it half", async () => {
    const pods = [
      { name: "fast", behaviour: "serviceTime: 2ms" },
      { name: "slow", behaviour: "serviceTime: 200ms" },
    ];
    const [lr, rr] = await Promise.all([runCli(mesh({ name: "acc-lr", duration: "10s", servers: pods, load: "rate: 200" })), runCli(mesh({
      name: "acc-lr-rr", duration: "10s", servers: pods, load: "rate: 200",
      istio: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec: {host: server, trafficPolicy: {loadBalancer: {simple: ROUND_ROBIN}}}`,
    }))]);
    expect(share(lr, "slow-0")).toBeLessThan(0.35);
    expect(share(lr, "slow-0")).toBeGreaterThan(0.1); // P2C with replacement: both draws are the slow pod 1/4 of the time
    expect(Math.abs(share(rr, "slow-0") - 0.5)).toBeLessThan(0.01);
  });

  // consistentHash on a header: the same header value always maps to the same host (ring hash).
  it("consistentHash on x-user sends every request of one user to one pod", async () => {
    const users = ["alice", "bob", "carol", "dave"];
    const clients = users
      .map((u) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: client-${u}}
spec:
  template:
    metadata: {labels: {app: client-${u}}}
    spec: {containers: [{name: c, image: c}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: ${u}}
spec: {from: client-${u}, target: "http://server:8080/", rate: 30, headers: [{fraction: 1, set: {x-user: ${u}}}]}`)
      .join("\n---\n");
    const s = await runCli(mesh({
      name: "acc-hash", duration: "10s", servers: THREE_PODS, load: "rate: 1",
      istio: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec: {host: server, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}}
---
${clients}`,
    }));
    for (const u of users) {
      const to = edges(s, `client-${u}`).filter((e) => e.requests > 0);
      expect(to.length).toBe(1);
      expect(to[0]!.requests).toBe(s.clients[u]!.requests);
    }
  });

  // Istio ≥ 1.23 omits the previous_hosts retry predicate when the destination uses consistent
  // hashing ("When Consistent Hashing is enabled, we don't want to use other hosts during retries",
  // istio/istio pilot/pkg/networking/core/route/retry/retry.go; semantics §1.5): a retry hashes to
  // the same host again, so the users whose key lands on a failing pod fail every try.
  it("with consistentHash a retry returns to the same pod: users hashed to a failing pod get 500 after 3 tries, the others never", async () => {
    const users = ["a", "b", "c", "d", "e", "f", "g", "h"].map((u) => `{fraction: 0.125, set: {x-user: ${u}}}`).join(", ");
    const s = await runCli(mesh({
      name: "acc-hash-retry", duration: "5s",
      servers: [
        { name: "good", replicas: 2, behaviour: "serviceTime: 2ms" },
        { name: "bad", behaviour: "serviceTime: 2ms, errorRate: 1" },
      ],
      load: `rate: 200, headers: [${users}]`,
      istio: `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: server}
spec:
  hosts: [server]
  http: [{route: [{destination: {host: server}}], retries: {attempts: 2, retryOn: 5xx}}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec: {host: server, trafficPolicy: {loadBalancer: {consistentHash: {httpHeaderName: x-user}}}}`,
    }));
    const c = s.clients["client"]!;
    const failed = c.codes["500"] ?? 0;
    expect(failed).toBeGreaterThan(0);
    expect(c.flags["URX"]).toBe(failed);
    // Every request the bad pod saw was one of three tries of a request that then failed.
    expect(s.pods["bad-0"]!.requests).toBe(3 * failed);
    expect((c.codes["200"] ?? 0) + failed).toBe(c.requests);
  });
});
