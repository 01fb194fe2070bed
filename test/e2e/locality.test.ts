// Nodes, zones and locality end to end: the order of failover as localities die, shares per
// locality within binomial bounds, cross-zone counts against the analytic expectation for random
// and locality-aware balancing, drains and Pending pods, zone partitions, and the summary fields.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { load } from "../scenario/scenario-files.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const scenario = (name: string) => loadScenario(path.join(ROOT, "scenarios/locality", name));

/** |x − n·p| within k standard deviations of a binomial count. */
function withinBinomial(x: number, n: number, p: number, k = 4): boolean {
  return Math.abs(x - n * p) <= k * Math.sqrt(n * p * (1 - p));
}

describe("locality failover (Istio's task)", () => {
  it("traffic moves one locality at a time, in priority order: zone1 → zone2 → region2 → region3", () => {
    const { summary } = runScenario(scenario("locality-failover.yaml"));
    const series = (d: string) => summary.timeSeries.edges.find((e) => e.destination === d)?.points ?? [];
    const order = ["helloworld-region1-zone1", "helloworld-region1-zone2", "helloworld-region2-zone3", "helloworld-region3-zone4"];
    // In each 30 s phase (away from the switch windows) every request goes to that phase's locality.
    // Windows count answers: 20 rps for 5 s, give or take the few requests in flight at a window's
    // edges (each opens its own cross-region connection, TCP and TLS handshakes on its path, so its
    // latency varies by more than the 50 ms between requests).
    order.forEach((dest, phase) => {
      for (let t = phase * 30 + 5; t < phase * 30 + 25; t += 5) {
        for (const other of order) {
          const pts = series(other).find((p) => p.t === t);
          const n = pts?.requests ?? 0;
          if (other === dest) expect(Math.abs(n - 100), `${other} at ${t}s: ${n}`).toBeLessThanOrEqual(2);
          else expect(n, `${other} at ${t}s`).toBe(0);
        }
      }
    });
  });
});

describe("locality weighted distribution (Istio's task)", () => {
  it("70/20/0/10 within binomial bounds over several seeds", () => {
    for (const seed of [1, 2, 3]) {
      const { summary } = runScenario(scenario("locality-weighted.yaml"), { seed });
      const n = (d: string) => summary.edges.filter((e) => e.destination === d).reduce((a, e) => a + e.requests, 0);
      const total = ["helloworld-region1-zone1", "helloworld-region1-zone2", "helloworld-region2-zone3", "helloworld-region3-zone4"].map(n);
      const sum = total.reduce((a, b) => a + b, 0);
      expect(withinBinomial(total[0]!, sum, 0.7)).toBe(true);
      expect(withinBinomial(total[1]!, sum, 0.2)).toBe(true);
      expect(total[2]).toBe(0);
      expect(withinBinomial(total[3]!, sum, 0.1)).toBe(true);
    }
  });
});

const NODES = `  nodes:
  - {region: r1, zone: a, count: 2}
  - {region: r1, zone: b, count: 2}
  - {region: r1, zone: c, count: 2}
`;
function mesh(spec: string, extra = "", serverReplicas = 6): Record<string, string> {
  return { "main.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: t}
spec:
  seed: 7
  duration: 30s
${NODES}${spec}
---
apiVersion: v1
kind: Service
metadata: {name: server}
spec: {selector: {app: server}, ports: [{name: http, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  replicas: ${serverReplicas}
  selector: {matchLabels: {app: server}}
  template: {metadata: {labels: {app: server}}, spec: {containers: [{name: s, image: s, resources: {requests: {cpu: "1"}}}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  replicas: 3
  selector: {matchLabels: {app: client}}
  template: {metadata: {labels: {app: client}}, spec: {containers: [{name: c, image: c}]}}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: server}
spec: {selector: {app: server}, serviceTime: 1ms, responseSize: 1000}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: load}
spec: {from: client, target: "http://server:8080/", rate: 500}
${extra}` };
}
const RANDOM_DR = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec: {host: server, trafficPolicy: {loadBalancer: {simple: RANDOM}}}
`;

describe("cross-zone traffic against the analytic expectation", () => {
  it("random balancing over servers spread evenly in 3 zones: 2/3 of the requests cross, binomially", () => {
    const { summary } = runScenario(load(mesh("", RANDOM_DR)));
    const c = summary.locality!.crossZone;
    const n = summary.edges.filter((e) => e.source === "client" && e.destination === "server").reduce((a, e) => a + e.requests, 0);
    expect(n).toBeGreaterThan(10_000);
    expect(withinBinomial(c.requests, n, 2 / 3)).toBe(true);
    // Bytes: each crossing request carried 1,000 response bytes (no request body).
    expect(c.bytes).toBe(c.requests * 1000);
    // Default $0.02 a GB crossing: AWS bills $0.01 out of one zone and $0.01 into the other
    // (https://www.lastweekinaws.com/blog/aws-cross-az-data-transfer-costs-more-than-aws-says/).
    expect(Math.abs(c.cost.total - (c.bytes / 2 ** 30) * 0.02)).toBeLessThan(1e-6);
  });
  it("locality-aware (outlier detection on): nothing crosses while each zone has healthy servers", () => {
    const dr = RANDOM_DR.replace("{loadBalancer: {simple: RANDOM}}", "{loadBalancer: {simple: RANDOM}, outlierDetection: {consecutive5xxErrors: 5}}");
    const { summary } = runScenario(load(mesh("", dr)));
    expect(summary.locality!.crossZone.requests).toBe(0);
  });
  it("distribute weights steer the share that leaves each zone", () => {
    const dr = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec:
  host: server
  trafficPolicy:
    loadBalancer:
      simple: RANDOM
      localityLbSetting:
        distribute:
        - {from: "r1/a/*", to: {"r1/a/*": 50, "r1/b/*": 50}}
        - {from: "r1/b/*", to: {"r1/b/*": 50, "r1/c/*": 50}}
        - {from: "r1/c/*", to: {"r1/c/*": 50, "r1/a/*": 50}}
`;
    const { summary } = runScenario(load(mesh("", dr)));
    const c = summary.locality!.crossZone;
    const n = summary.edges.filter((e) => e.destination === "server").reduce((a, e) => a + e.requests, 0);
    expect(withinBinomial(c.requests, n, 0.5)).toBe(true);
    expect(c.zonePairs.find((p) => p.from === "a" && p.to === "c")).toBeUndefined();
  });
});

describe("placement, drains and faults", () => {
  it("pods carry their node and locality; a pod that fits nowhere is Pending and reported", () => {
    const { summary } = runScenario(load(mesh(`  timeline:\n  - at: 10s\n    scale: {deployment: server, replicas: 30}\n`)));
    expect(summary.pods["server-0"]!.node).toMatch(/^[abc]-[01]$/);
    expect(summary.pods["server-0"]!.locality).toMatch(/^r1\/[abc]\/$/);
    // Nodes are unbounded here: the 24 new pods all fit, spread over the zones (default spreading).
    const perZone = Object.values(summary.locality!.zones).map((z) => z.pods);
    expect(Math.max(...perZone) - Math.min(...perZone)).toBeLessThanOrEqual(1);
    const small = mesh(`  timeline:\n  - at: 10s\n    scale: {deployment: server, replicas: 8}\n`);
    small["main.yaml"] = small["main.yaml"]!.replace(/count: 2\}/g, 'count: 2, cpu: "1"}');
    const s2 = runScenario(load(small)).summary;
    const pending = Object.entries(s2.pods).filter(([, p]) => p.phase === "Pending");
    expect(pending.map(([n]) => n)).toEqual(["server-6", "server-7"]);
    expect(pending[0]![1].pendingReason).toBe("0/6 nodes are available: 6 Insufficient cpu.");
    expect(s2.events.filter((e) => e.kind === "pending")).toHaveLength(2);
    // kube-scheduler retries Pending pods when room appears: a killed server frees its node's CPU.
    const freed = mesh(`  timeline:\n  - at: 10s\n    scale: {deployment: server, replicas: 8}\n  - at: 20s\n    kill: {pod: server-0}\n`);
    freed["main.yaml"] = freed["main.yaml"]!.replace(/count: 2\}/g, 'count: 2, cpu: "1"}');
    const s3 = runScenario(load(freed)).summary;
    const scheduled = s3.events.filter((e) => e.kind === "scheduled");
    expect(scheduled.map((e) => [e.t, e.detail["pod"]])).toEqual([[20, "server-6"]]);
    expect(s3.pods["server-6"]!.node).toBe(s3.pods["server-0"]!.node);
    expect(s3.pods["server-6"]!.requests).toBeGreaterThan(0);
    expect(s3.pods["server-7"]!.phase).toBe("Pending");
  });
  it("drain of a zone moves its pods to the other zones and traffic keeps flowing", () => {
    const { summary } = runScenario(load(mesh(`  timeline:\n  - at: 10s\n    drain: {zone: a}\n`)));
    const serversInA = Object.entries(summary.pods).filter(([n, p]) => n.startsWith("server") && p.locality === "r1/a/" && p.requests > 0);
    expect(serversInA.length).toBe(2); // the originals served before the drain
    const replacements = Object.entries(summary.pods).filter(([n]) => /^server-(6|7)$/.test(n));
    expect(replacements.map(([, p]) => p.locality)).not.toContain("r1/a/");
    expect(summary.clients["load"]!.codes["503"] ?? 0).toBe(0);
  });
  it("a zone partition makes cross-zone connections time out (503 UF) until it heals", () => {
    const dr = `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec: {host: server, trafficPolicy: {loadBalancer: {simple: RANDOM}, connectionPool: {tcp: {connectTimeout: 100ms}, http: {maxRequestsPerConnection: 1}}}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: server}
spec: {hosts: [server], http: [{route: [{destination: {host: server}}], retries: {attempts: 0}}]}
`;
    const { summary } = runScenario(load(mesh(`  timeline:\n  - at: 10s\n    partition: {zones: [a, b]}\n  - at: 20s\n    heal: {zones: [a, b]}\n`, dr)));
    const flags = summary.clients["load"]!.flags;
    // Clients in a calling servers in b, and the reverse: 2 of 9 client-server zone pairs, for 10 s of 30.
    const uf = flags["UF"] ?? 0;
    const total = summary.clients["load"]!.requests;
    expect(withinBinomial(uf, total, (2 / 9) * (10 / 30), 5)).toBe(true);
  });
  it("kill {node} stops exactly the pods on that node; notReady {zone} takes its pods out after the grace period and replaces them after 300 s", () => {
    const { summary } = runScenario(load(mesh(`  timeline:\n  - at: 10s\n    kill: {node: a-0}\n`)));
    const onNode = Object.entries(summary.pods).filter(([, p]) => p.node === "a-0").map(([n]) => n);
    expect(onNode.length).toBeGreaterThan(0);
    expect(summary.events.filter((e) => e.kind === "kill")).toHaveLength(1);
    // Servers on a-0 stopped at 10 s of 30: they served about a third of what the others did.
    const served = (pred: (node: string | undefined) => boolean) => Object.entries(summary.pods).filter(([n, p]) => n.startsWith("server") && pred(p.node)).map(([, p]) => p.requests);
    const dead = served((n) => n === "a-0");
    const alive = served((n) => n !== "a-0");
    const mean = alive.reduce((a, b) => a + b, 0) / alive.length;
    expect(dead.length).toBeGreaterThan(0);
    for (const r of dead) expect(r).toBeLessThan(0.5 * mean);
    const files = mesh(`  duration: 400s\n  timeline:\n  - at: 10s\n    notReady: {zone: b}\n`);
    files["main.yaml"] = files["main.yaml"]!.replace("  duration: 30s\n", "");
    const s2 = runScenario(load(files)).summary;
    const notReady = s2.events.filter((e) => e.kind === "notReady");
    expect(notReady.length).toBeGreaterThan(0);
    // 10 s + node-monitor-grace-period (50 s since Kubernetes 1.32, kubernetes/kubernetes#126287).
    expect(notReady.every((e) => e.t === 60)).toBe(true);
    // The unreachable:NoExecute taint goes on when the node is marked, and the 300 s toleration counts
    // from then (pkg/controller/tainteviction/taint_eviction.go processPodOnNode): 10 + 50 + 300.
    const evicted = s2.events.filter((e) => e.kind === "evicted");
    expect(evicted.length).toBeGreaterThan(0);
    expect(evicted.every((e) => e.t === 360)).toBe(true);
    const replacements = Object.entries(s2.pods).filter(([n]) => /^(server-[6-9]|client-[3-9])$/.test(n));
    expect(replacements.length).toBe(notReady.length);
    expect(replacements.every(([, p]) => p.locality !== "r1/b/")).toBe(true);
  });
  it("with nodes the same scenario and seed give byte-identical summaries", () => {
    const files = mesh(`  timeline:\n  - at: 10s\n    drain: {zone: a}\n`, RANDOM_DR);
    const a = JSON.stringify(runScenario(load(files)).summary);
    const b = JSON.stringify(runScenario(load(files)).summary);
    expect(a).toBe(b);
    expect(JSON.stringify(runScenario(load(files), { seed: 99 }).summary)).not.toBe(a);
  });
  it("without nodes there is no locality section and no placement fields", () => {
    const files = mesh("", RANDOM_DR);
    files["main.yaml"] = files["main.yaml"]!.replace(NODES, "");
    const { summary } = runScenario(load(files));
    expect(summary.locality).toBeUndefined();
    expect(Object.values(summary.pods).every((p) => p.node === undefined && p.locality === undefined)).toBe(true);
  });
});
