import { describe, expect, it } from "vitest";
import { SIM, loadError, load } from "./scenario-files.js";

const SERVICE = `---
apiVersion: v1
kind: Service
metadata: {name: reviews}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
`;

/** The error lines of a ScenarioError, with the directory stripped from the file name. */
function lines(files: Record<string, string>): string[] {
  return loadError(files).message.split("\n").map((l) => l.replace(/^.*\/(?=[^/]*:\d+:\d+:)/, ""));
}

describe("invalid scenarios are rejected with file:line:column and the field's path", () => {
  it("malformed YAML, at the parser's position", () => {
    const out = lines({ "main.yaml": `${SIM}spec:\n  seed: [1, 2\n` });
    expect(out).toHaveLength(1);
    expect(out[0]).toBe("main.yaml:6:1: error: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]");
  });

  it("a value of the wrong type", () => {
    expect(lines({ "main.yaml": `${SIM}spec:\n  duration: 300\n  seed: one\n` })).toEqual([
      'main.yaml:5:13: error: spec.duration: expected a duration string such as "300s", got a bare number',
      'main.yaml:6:9: error: spec.seed: expected an integer, got the string "one"',
    ]);
  });

  it("a missing required field", () => {
    const out = lines({
      "main.yaml": `${SIM}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: r}
spec:
  subsets: [{labels: {version: v1}}]
`,
    });
    expect(out).toEqual([
      "main.yaml:9:3: error: spec.host: is required",
      "main.yaml:9:13: error: spec.subsets[0].name: is required",
    ]);
  });

  it("a call to an in-cluster service that does not exist", () => {
    const out = lines({
      "main.yaml": `${SIM}${SERVICE}---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: w}
spec:
  selector: {app: reviews}
  script:
  - compute: 1ms
  - call: {to: "http://ratings:9080/x"}
`,
    });
    expect(out).toEqual([
      'main.yaml:19:16: error: spec.script[1].call.to: no Service "ratings" in namespace "default" (nor a ServiceEntry host "ratings")',
    ]);
  });

  it("a negative rate", () => {
    expect(lines({
      "main.yaml": `${SIM}${SERVICE}---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec:
  target: reviews
  rate: -5
`,
    })).toEqual(["main.yaml:17:9: error: spec.rate: rate must not be negative, got -5"]);
  });

  it("reports every error of a file, not only the first", () => {
    const out = lines({
      "main.yaml": `${SIM}spec:
  duration: 10s
  warmup: 20s
  mesh: {mode: mesh}
  report: {traces: {sample: 2}}
`,
    });
    expect(out).toEqual([
      "main.yaml:6:11: error: spec.warmup: warmup (20000 ms) must be shorter than the duration (10000 ms)",
      'main.yaml:7:16: error: spec.mesh.mode: must be one of sidecar, ambient, none; got "mesh"',
      "main.yaml:8:29: error: spec.report.traces.sample: must be <= 1, got 2",
    ]);
  });

  it("errors in included files name those files", () => {
    const out = lines({
      "main.yaml": `${SIM}spec:\n  include: [more.yaml]\n`,
      "more.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: many\n  template: {spec: {containers: []}}\n",
    });
    expect(out).toEqual(['more.yaml:5:13: error: spec.replicas: expected an integer, got the string "many"']);
  });

  it("a missing included file, at the include entry", () => {
    const out = lines({ "main.yaml": `${SIM}spec:\n  include: [nope.yaml]\n` });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^main\.yaml:5:13: error: spec\.include\[0\]: cannot read .*nope\.yaml: no such file$/);
  });

  it("a file without a Simulation, and a second Simulation", () => {
    expect(lines({ "main.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n" })).toEqual([
      "main.yaml:1:1: error: no Simulation document (apiVersion: meshsim.dev/v1alpha1, kind: Simulation) in this file",
    ]);
    expect(lines({ "main.yaml": `${SIM}---\n${SIM}` })).toEqual(["main.yaml:5:1: error: only one Simulation document is allowed"]);
  });

  it("an unsupported apiVersion of a known kind", () => {
    expect(lines({ "main.yaml": `${SIM}---\napiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata: {name: v}\n` })).toEqual([
      'main.yaml:5:13: error: apiVersion: unsupported apiVersion "networking.istio.io/v2" for VirtualService (supported: networking.istio.io/v1alpha3, networking.istio.io/v1beta1, networking.istio.io/v1)',
    ]);
  });

  it("no raw exception escapes for a missing entry file", () => {
    expect(() => load({})).toThrow(/main\.yaml:1:1: error: cannot read .*no such file/);
  });
});

describe("each problem is reported once", () => {
  it("a Simulation spec of the wrong type", () => {
    expect(lines({ "main.yaml": `${SIM}spec: 5\n` })).toEqual(["main.yaml:4:7: error: spec: expected a map, got the number 5"]);
  });
});
