import { describe, expect, it } from "vitest";
import { percentileKey } from "../../src/scenario/index.js";
import { SIM, load, loadError } from "./scenario-files.js";

function workload(spec: string): Record<string, string> {
  return { "main.yaml": `${SIM}---\napiVersion: meshsim.dev/v1alpha1\nkind: Workload\nmetadata: {name: w}\nspec:\n  selector: {app: a}\n${spec}` };
}
function generator(spec: string): Record<string, string> {
  return { "main.yaml": `${SIM}---\napiVersion: meshsim.dev/v1alpha1\nkind: LoadGenerator\nmetadata: {name: g}\nspec:\n  target: example.com\n${spec}` };
}
function errorsOf(files: Record<string, string>): string[] {
  return loadError(files).diagnostics.map((d) => `${d.path}: ${d.message}`);
}

describe("distributions", () => {
  it("reads every kind, durations in ms", () => {
    const s = load(workload(`  script:
  - compute: 5ms
  - compute: {dist: exponential, mean: 5ms}
  - compute: {dist: lognormal, median: 20ms, p99: 0.2s}
  - compute: {dist: uniform, min: 1ms, max: 9ms}
  - compute: {dist: normal, mean: 10ms, stddev: 2ms}
  - compute: {dist: gamma, mean: 10ms, shape: 2}
  - compute: {dist: pareto, min: 1ms, alpha: 1.5}
  - compute: {dist: empirical, percentiles: {p50: 10ms, p0: 1ms, p99.9: 130ms, p99: 120ms, p100: 500ms}}
`));
    expect(s.workloads[0]!.behaviour.script.map((st) => st.kind === "compute" && st.time)).toEqual([
      { dist: "constant", value: 5 },
      { dist: "exponential", mean: 5 },
      { dist: "lognormal", median: 20, p99: 200 },
      { dist: "uniform", min: 1, max: 9 },
      { dist: "normal", mean: 10, stddev: 2 },
      { dist: "gamma", mean: 10, shape: 2 },
      { dist: "pareto", min: 1, alpha: 1.5 },
      { dist: "empirical", points: [{ q: 0, value: 1 }, { q: 0.5, value: 10 }, { q: 0.99, value: 120 }, { q: 0.999, value: 130 }, { q: 1, value: 500 }] },
    ]);
  });

  it("checks parameters: positive means, p99 > median, min < max, ascending percentiles", () => {
    expect(errorsOf(workload(`  script:
  - compute: {dist: exponential, mean: 0s}
  - compute: {dist: lognormal, median: 20ms, p99: 10ms}
  - compute: {dist: uniform, min: 9ms, max: 1ms}
  - compute: {dist: gamma, mean: 1ms, shape: 0}
  - compute: {dist: empirical, percentiles: {p0: 5ms, p50: 1ms}}
  - compute: {dist: empirical, percentiles: {p50: 1ms, q9: 2ms}}
  - compute: {dist: weibull, mean: 1ms}
  - compute: 5
`))).toEqual([
      "spec.script[0].compute.mean: must be a positive duration",
      "spec.script[1].compute.p99: p99 must be greater than median",
      "spec.script[2].compute.max: max must be greater than min",
      "spec.script[3].compute.shape: must be > 0, got 0",
      "spec.script[4].compute.percentiles: percentiles must not decrease: p50 is below p0",
      "spec.script[5].compute.percentiles.q9: expected a percentile key p0..p100 (e.g. p50, p99.9)",
      'spec.script[6].compute.dist: must be one of constant, exponential, lognormal, uniform, normal, gamma, pareto, empirical; got "weibull"',
      'spec.script[7].compute: expected a duration string such as "5s", got a bare number',
    ]);
  });

  it("percentile keys: pN is N%, p999 is 99.9%", () => {
    expect([percentileKey("p0"), percentileKey("p50"), percentileKey("p999"), percentileKey("p9999"), percentileKey("p99.5"), percentileKey("p101"), percentileKey("x")])
      .toEqual([0, 0.5, 0.999, 0.9999, 0.995, undefined, undefined]);
  });
});

describe("Workload validation", () => {
  it("rejects bad limits, script plus serviceTime, a step with two actions", () => {
    expect(errorsOf(workload(`  concurrency: 0
  queueLimit: 1.5
  errorRate: 2
  threading: threads
  serviceTime: 1ms
  script: [{compute: 1ms, call: example.com}]
`))).toEqual([
      "spec: only one of script, serviceTime may be set; got script and serviceTime",
      "spec.concurrency: must be >= 1, got 0",
      "spec.queueLimit: expected an integer, got 1.5",
      "spec.errorRate: must be <= 1, got 2",
      'spec.threading: must be one of blocking, async; got "threads"',
      "spec.script[0]: only one of compute, call, parallel may be set; got compute and call",
    ]);
  });

  it("a Deployment selected by two Workloads is an error", () => {
    const files = workload("");
    files["main.yaml"] += `---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: w2}
spec: {selector: {app: a}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: a}
spec: {template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c}]}}}
`;
    expect(errorsOf(files)).toEqual(['spec.selector: Deployment "a" is already selected by Workload "w"']);
  });

  it("reads calls with every field", () => {
    const s = load(workload(`  threading: async
  script:
  - call: {to: "https://api.example.com:8443/x", method: post, timeout: 250ms, retries: 2, onError: continue, forwardHeaders: [X-Request-Id]}
`));
    const st = s.workloads[0]!.behaviour.script[0]!;
    expect(st.kind === "call" && st.call).toEqual({
      to: { scheme: "https", host: "api.example.com", port: 8443, path: "/x", resolved: { kind: "external", host: "api.example.com" } },
      method: "POST", timeoutMs: 250, retries: 2, onError: "continue", forwardHeaders: ["x-request-id"],
    });
  });
});

describe("LoadGenerator validation", () => {
  it("exactly one of open and closed loop", () => {
    expect(errorsOf(generator("  rate: 5\n  connections: 2\n"))).toEqual(["spec: open loop (rate) and closed loop (connections) fields cannot be mixed"]);
    expect(errorsOf(generator("  method: GET\n"))).toEqual(["spec: either rate or profile (open loop) or connections (closed loop) is required"]);
  });

  it("a closed loop's timeout is fortio's -timeout: 3 s unless given, a positive duration, closed loop only", () => {
    // fortio fhttp/http_client.go: HTTPReqTimeOutDefaultValue = 3 * time.Second.
    expect(load(generator("  connections: 2\n")).loadGenerators[0]!.closed!.timeoutMs).toBe(3000);
    expect(load(generator("  connections: 2\n  timeout: 500ms\n")).loadGenerators[0]!.closed!.timeoutMs).toBe(500);
    expect(errorsOf(generator("  connections: 2\n  timeout: 0s\n"))).toEqual(["spec.timeout: must be a positive duration"]);
    expect(errorsOf(generator("  rate: 5\n  timeout: 1s\n"))).toEqual(["spec: open loop (rate) and closed loop (timeout) fields cannot be mixed"]);
  });

  it("rate > 0 unless a profile is given; profile in time order", () => {
    expect(errorsOf(generator("  rate: 0\n"))).toEqual(["spec.rate: rate must be > 0 (requests per second) unless a profile is given"]);
    const s = load(generator("  rate: 0\n  arrival: constant\n  profile: [{at: 0s, rate: 10}, {at: 1m, rate: 500}]\n  start: 5s\n  stop: 2m\n"));
    expect(s.loadGenerators[0]).toMatchObject({
      open: { rate: 0, arrival: "constant", profile: [{ atMs: 0, rate: 10 }, { atMs: 60_000, rate: 500 }] }, startMs: 5000, stopMs: 120_000,
    });
    expect(errorsOf(generator("  profile: [{at: 10s, rate: 1}, {at: 5s, rate: 2}]\n"))).toEqual(["spec.profile[1]: profile points must be in increasing time order"]);
  });

  it("header fractions in 0..1 summing to at most 1; stop after start", () => {
    expect(errorsOf(generator("  rate: 1\n  headers: [{fraction: 0.6, set: {a: b}}, {fraction: 0.6, set: {a: c}}]\n  start: 10s\n  stop: 5s\n"))).toEqual([
      "spec.headers: fractions sum to 1.2; they are shares of the requests and must sum to at most 1",
      "spec.stop: stop must be after start",
    ]);
    expect(errorsOf(generator("  rate: 1\n  headers: [{fraction: -0.1, set: {a: b}}]\n"))).toEqual(["spec.headers[0].fraction: must be >= 0, got -0.1"]);
    const s = load(generator("  rate: 1\n  headers: [{fraction: 0.1, set: {End-User: jason}}]\n"));
    expect(s.loadGenerators[0]!.headers).toEqual([{ fraction: 0.1, set: { "end-user": "jason" } }]);
  });

  it("closed loop: connections >= 1, qps >= 0", () => {
    expect(errorsOf(generator("  connections: 0\n  qps: -1\n"))).toEqual(["spec.connections: must be >= 1, got 0", "spec.qps: must be >= 0, got -1"]);
  });
});
