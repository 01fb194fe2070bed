// Inputs from issue 20's fuzz campaign, at the loader: YAML merge keys, unprintable keys in field
// paths, names as Kubernetes validates them, include confinement and size caps, `include` with a
// namespace, a duplicate resource's file and line (110,000 resources: test/e2e/large-input.test.ts).
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ScenarioError, loadScenario } from "../../src/scenario/index.js";
import { formatDiagnostic } from "../../src/scenario/diagnostic.js";
import { SIM, writeScenario } from "./scenario-files.js";

/** The loader's messages for the Simulation file `main` (with `files` beside it). */
function errors(main: string, files: Record<string, string> = {}, opts: Parameters<typeof loadScenario>[1] = {}): string[] {
  const dir = writeScenario({ "sim.yaml": main, ...files });
  try {
    loadScenario(join(dir, "sim.yaml"), opts);
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.diagnostics.map(formatDiagnostic);
  }
}

const SERVICE = (name: string, ns = "") => `apiVersion: v1
kind: Service
metadata: {name: ${name}${ns ? `, namespace: ${ns}` : ""}}
spec: {selector: {app: ${name.slice(0, 20)}}, ports: [{name: http, port: 80}]}
`;

describe("YAML merge keys (<<), as kubectl reads them", () => {
  it("merged fields are read; fields written in the map win", () => {
    const dir = writeScenario({
      "sim.yaml": `${SIM}spec: {duration: 10s}
---
apiVersion: v1
kind: List
items:
- apiVersion: meshsim.dev/v1alpha1
  kind: Workload
  metadata: {name: base}
  spec: &defaults
    selector: {app: a}
    concurrency: 4
    queueLimit: 2
- apiVersion: meshsim.dev/v1alpha1
  kind: Workload
  metadata: {name: derived}
  spec:
    <<: *defaults
    selector: {app: b}
`,
    });
    const s = loadScenario(join(dir, "sim.yaml"));
    const derived = s.workloads.find((w) => w.metadata.name === "derived")!;
    expect(derived.selector).toEqual({ app: "b" });
    expect(derived.behaviour.concurrency).toBe(4);
    expect(derived.behaviour.queueLimit).toBe(2);
    expect(s.warnings.map(formatDiagnostic).join("\n")).not.toContain("<<");
  });

  it("an anchor from another YAML document is an error, not a silently empty map", () => {
    const out = errors(`${SIM}spec: {duration: 10s}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: a}
spec: &d {selector: {app: a}}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: b}
spec:
  <<: *d
  concurrency: 2
`).join("\n");
    expect(out).toMatch(/sim\.yaml:\d+:7: error: spec\.<<: unknown anchor "d" \(an anchor holds only within its own YAML document\)/);
  });

  it("a list of merged maps: the earlier wins", () => {
    const dir = writeScenario({
      "sim.yaml": `${SIM}spec: {duration: 10s}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: w}
x-a: &a {concurrency: 1}
x-b: &b {concurrency: 9, queueLimit: 3}
spec:
  <<: [*a, *b]
  selector: {app: w}
`,
    });
    const w = (() => { try { return loadScenario(join(dir, "sim.yaml")).workloads[0]!; } catch (e) { throw new Error(String(e)); } })();
    expect(w.behaviour.concurrency).toBe(1);
    expect(w.behaviour.queueLimit).toBe(3);
  });
});

describe("field paths quote keys a terminal would act on", () => {
  it("a control character and invalid UTF-8 in a key are escaped, never printed raw", () => {
    const dir = writeScenario({});
    const file = join(dir, "sim.yaml");
    writeFileSync(file, Buffer.concat([Buffer.from(`${SIM}spec:\n  duration: 10s\n  "a\\u001b[2Jb": 1\n  `), Buffer.from([0x63, 0xff, 0x64]), Buffer.from(": 2\n")]));
    const s = loadScenario(file);
    const text = s.warnings.map(formatDiagnostic).join("\n");
    expect(text).toContain('spec["a\\u001b[2Jb"]: unknown field');
    expect(text).toContain('spec["c\\ufffdd"]: unknown field');
    expect(text).not.toMatch(/[\u0000-\u0008\u001b\ufffd]/);
  });
});

describe("names as Kubernetes validates them", () => {
  it.each([
    ["a Deployment name of 254 characters", "Deployment", "d".repeat(254), /must be no more than 253 characters \(a DNS-1123 subdomain\), got 254/],
    ["a Service name of 64 characters", "Service", "s".repeat(64), /must be no more than 63 characters \(a DNS-1035 label\)/],
    ["a Service name starting with a digit", "Service", "9lives", /starting with a letter/],
    ["a Namespace of 64 characters", "Namespace", "n".repeat(64), /no more than 63 characters \(a DNS-1123 label\)/],
  ])("%s is refused", (_what, kind, name, message) => {
    const api = kind === "Deployment" ? "apps/v1" : "v1";
    const spec = kind === "Deployment"
      ? "spec: {replicas: 1, selector: {matchLabels: {app: x}}, template: {metadata: {labels: {app: x}}, spec: {containers: [{name: x, image: x}]}}}"
      : kind === "Service" ? "spec: {selector: {app: x}, ports: [{port: 80}]}" : "";
    expect(errors(`${SIM}spec: {duration: 10s}\n---\napiVersion: ${api}\nkind: ${kind}\nmetadata: {name: ${name}}\n${spec}\n`).join("\n")).toMatch(message);
  });

  it("a 253-character Deployment name is accepted", () => {
    const name = `${"d".repeat(126)}.${"d".repeat(126)}`;
    expect(errors(`${SIM}spec: {duration: 10s}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}}\nspec: {replicas: 1, selector: {matchLabels: {app: x}}, template: {metadata: {labels: {app: x}}, spec: {containers: [{name: x, image: x}]}}}\n`)).toEqual([]);
  });
});

describe("includes: regular files, size-capped, globs confined to the Simulation's folder", () => {
  it("/dev/zero is refused as not a regular file, without reading it", () => {
    expect(errors(`${SIM}spec: {duration: 10s, include: [/dev/zero]}\n`).join("\n")).toMatch(/spec\.include\[0\]: cannot read .*zero: not a regular file/);
  });

  it("a glob from / or climbing with .. is refused without walking anything", () => {
    const started = Date.now();
    const out = errors(`${SIM}spec: {duration: 10s, include: ["/**/*.yaml", "../**/*.yaml"]}\n`).join("\n");
    expect(out).toMatch(/spec\.include\[0\]: "\/\*\*\/\*\.yaml" reaches outside the Simulation's folder \(--allow-outside-includes allows it\)/);
    expect(out).toMatch(/spec\.include\[1\]: "\.\.\/\*\*\/\*\.yaml" reaches outside/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("a file over the size limit is refused, naming the flag", () => {
    const big = `# ${"x".repeat(2000)}\n${SERVICE("a")}`;
    expect(errors(`${SIM}spec: {duration: 10s, include: [big.yaml]}\n`, { "big.yaml": big }, { maxFileBytes: 1000 }).join("\n"))
      .toMatch(/cannot read big\.yaml: 0\.0 MiB, over the limit of 0\.0 MiB \(--max-file-size raises it\)|cannot read .*big\.yaml: .*--max-file-size/);
    expect(errors(`${SIM}spec: {duration: 10s, include: [big.yaml]}\n`, { "big.yaml": big })).toEqual([]);
  });

  it("a glob's matches outside the folder through a symbolic link are left out", async () => {
    const { symlinkSync, mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const outside = mkdtempSync(join(tmpdir(), "meshsim-outside-"));
    writeFileSync(join(outside, "svc.yaml"), SERVICE("outside"));
    const dir = writeScenario({ "sim.yaml": `${SIM}spec: {duration: 10s, include: ["*/*.yaml"]}\n`, "in/svc.yaml": SERVICE("inside") });
    symlinkSync(outside, join(dir, "link"));
    const s = loadScenario(join(dir, "sim.yaml"));
    expect(s.services.map((x) => x.metadata.name)).toEqual(["inside"]);
    expect(loadScenario(join(dir, "sim.yaml"), { allowOutsideIncludes: true }).services.map((x) => x.metadata.name).sort()).toEqual(["inside", "outside"]);
  });
});

describe("include {file, namespace}: like kubectl apply -n", () => {
  it("resources without a namespace land in it; cluster-scoped kinds keep none", () => {
    const dir = writeScenario({
      "sim.yaml": `${SIM}spec:\n  duration: 10s\n  include: [{file: svc.yaml, namespace: foo}]\n`,
      "svc.yaml": `${SERVICE("a")}---\napiVersion: v1\nkind: Namespace\nmetadata: {name: foo, labels: {istio-injection: enabled}}\n---\napiVersion: v1\nkind: List\nitems:\n- ${SERVICE("b").trim().split("\n").join("\n  ")}\n`,
    });
    const s = loadScenario(join(dir, "sim.yaml"));
    expect(s.services.map((x) => `${x.metadata.namespace}/${x.metadata.name}`)).toEqual(["foo/a", "foo/b"]);
    expect(s.namespaces.map((n) => n.metadata.namespace)).toEqual([""]);
  });

  it("a resource naming another namespace is an error, as kubectl's", () => {
    const out = errors(`${SIM}spec:\n  duration: 10s\n  include: [{file: svc.yaml, namespace: foo}]\n`, { "svc.yaml": SERVICE("a", "bar") }).join("\n");
    expect(out).toMatch(/svc\.yaml:1:1: error: metadata\.namespace: the namespace from the provided object "bar" does not match the include's namespace "foo"/);
  });
});

describe("every error names its file and line", () => {
  it("a duplicate DestinationRule points at the second one and says where the first is", () => {
    const dr = `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec: {host: a}\n`;
    const out = errors(`${SIM}spec: {duration: 10s, include: [a.yaml]}\n---\n${SERVICE("a")}---\n${dr}`, { "a.yaml": dr });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^.*a\.yaml:1:1: error: metadata\.name: duplicate DestinationRule "r" in namespace "default" \(first defined at .*sim\.yaml:\d+:1\)$/);
    expect(out[0]).not.toMatch(/^meshsim: :1:1/);
  });
});
