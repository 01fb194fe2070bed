import { describe, expect, it } from "vitest";
import { parseCheck } from "../../src/scenario/index.js";
import { SIM, load, loadError } from "./scenario-files.js";

const GEN = `---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {target: example.com, rate: 1}
`;

describe("parseCheck", () => {
  it.each([
    ["p99", "< 300ms", "<", 300], ["mean", ">= 1.5s", ">=", 1500], ["errorRate", "< 1%", "<", 0.01],
    ["errorRate", "<= 0.05", "<=", 0.05], ["requests", "> 0", ">", 0], ["codes.503", "== 0", "==", 0],
    ["flags.UO", "!= 0", "!=", 0], ["rps", ">= 99.5", ">=", 99.5], ["p999", "<100us", "<", 0.1],
    ["mesh.convergenceMax", "< 1s", "<", 1000], ["mesh.xdsRejects", "> 0", ">", 0], ["mesh.staleProxiesMax", "== 20", "==", 20],
  ])("%s %s", (metric, text, op, value) => {
    const c = parseCheck(metric, text);
    expect(c).toEqual({ metric, op, value, text });
  });

  it.each([
    ["p99", "300ms", /OP VALUE/], ["p99", "< 300", /latency: write a duration such as 300ms/],
    ["requests", "> 5ms", /not a latency/], ["p99", "< 1%", /percentage only applies to errorRate/],
    ["latency", "< 1ms", /unknown metric/], ["errorRate", "=< 1%", /OP VALUE/], ["p50", "<", /missing value/],
    ["mesh.convergenceMax", "< 300", /latency: write a duration/], ["mesh.pushes", "> 0", /unknown metric/],
  ])("rejects %s %j", (metric, text, message) => {
    expect(() => parseCheck(metric, text)).toThrow(message);
  });
});

describe("spec.expect", () => {
  it("reads client and edge expectations with nested codes and flags, in written order", () => {
    const s = load({
      "main.yaml": `${SIM}spec:
  expect:
  - client: users
    p99: "< 300ms"
    codes: {"503": "> 0", 200: ">= 10"}
    flags: {UO: "> 0", "-": "> 1"}
    errorRate: "< 1%"
  - edge: {source: users, destination: unknown}
    requests: "> 0"
${GEN}`,
    });
    const [client, edge] = s.simulation.expect;
    expect(client!.subject).toEqual({ kind: "client", name: "users" });
    expect(client!.checks.map((c) => [c.metric, c.op, c.value])).toEqual([
      ["p99", "<", 300], ["codes.503", ">", 0], ["codes.200", ">=", 10], ["flags.UO", ">", 0], ["flags.-", ">", 1], ["errorRate", "<", 0.01],
    ]);
    expect(client!.pos.line).toBe(6);
    expect(edge!.subject).toEqual({ kind: "edge", source: "users", destination: "unknown" });
    expect(s.warnings).toEqual([]);
  });

  it("a client that is not a LoadGenerator, an unknown metric and a bare number are errors", () => {
    const msg = loadError({
      "main.yaml": `${SIM}spec:
  expect:
  - client: nobody
    p99: "< 1s"
  - client: users
    latency: "< 1s"
    requests: 5
  - client: users
${GEN}`,
    }).message;
    expect(msg).toMatch(/main\.yaml:6:13: error: spec\.expect\[0\]\.client: no LoadGenerator named "nobody"/);
    expect(msg).toMatch(/main\.yaml:9:5: error: spec\.expect\[1\]\.latency: unknown metric "latency"/);
    expect(msg).toMatch(/main\.yaml:10:15: error: spec\.expect\[1\]\.requests: expected a string such as "== 5"/);
    expect(msg).toMatch(/main\.yaml:11:5: error: spec\.expect\[2\]: an expectation needs at least one check/);
  });

  it("meanUpper, p99Upper and errorRateUpper (a figure plus its confidence half-width) are a client's only", () => {
    const ok = load({ "main.yaml": `${SIM}spec:
  expect:
  - client: users
    p99Upper: "< 200ms"
    errorRateUpper: "< 1%"
    meanUpper: "<= 50ms"
${GEN}` });
    expect(ok.simulation.expect[0]!.checks.map((c) => [c.metric, c.value])).toEqual([["p99Upper", 200], ["errorRateUpper", 0.01], ["meanUpper", 50]]);
    const msg = loadError({
      "main.yaml": `${SIM}spec:
  expect:
  - edge: {source: users, destination: users}
    p99Upper: "< 200ms"
${GEN}`,
    }).message;
    expect(msg).toMatch(/main\.yaml:7:5: error: spec\.expect\[0\]\.p99Upper: p99Upper is a client's figure plus its confidence half-width: only a client: subject has one/);
  });

  it("an edge naming no deployment warns that it may never carry traffic", () => {
    const s = load({ "main.yaml": `${SIM}spec:\n  expect:\n  - edge: {source: a, destination: b}\n    requests: "> 0"\n` });
    expect(s.warnings.map((w) => w.path)).toEqual(["spec.expect[0].edge.source", "spec.expect[0].edge.destination"]);
  });
});
