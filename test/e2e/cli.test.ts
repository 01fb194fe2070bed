// The command line as a user meets it: exit codes, --json on stdout, byte-identical summaries for a
// seed, and bad input reported with file:line:column and the field path, never a stack trace.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { writeScenario } from "../support/scenario-text.js";
import { ROOT, meshsim, tmpDir } from "../support/cli.js";


const tmp = () => tmpDir("meshsim-cli-");

const SERVICE = `
apiVersion: v1
kind: Service
metadata: {name: server}
spec: {selector: {app: server}, ports: [{port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  template:
    metadata: {labels: {app: server}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8080}]}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: server}
spec: {selector: {app: server}, concurrency: 2, serviceTime: {dist: exponential, mean: 5ms}}
`;

function simulation(extra = "", generator = "rate: 50"): string {
  return `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: tiny}
spec:
  duration: 20s
${extra}
---${SERVICE}---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec:
  target: http://server:8080/
  ${generator}
`;
}

describe("meshsim run", () => {
  it("prints summary.json on stdout with --json and writes the reports", () => {
    const out = tmp();
    const r = meshsim("run", writeScenario({ "s.yaml": simulation() }), "--duration", "30s", "--json", "--quiet", "--out", out);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.scenario).toBe("tiny");
    expect(s.simulatedSeconds).toBe(30);
    expect(s.clients.users.requests).toBeGreaterThan(1000);
    expect(r.stderr).toBe("");
    for (const f of ["summary.json", "report.md", "metrics.prom", "run.json"]) expect(fs.existsSync(path.join(out, f))).toBe(true);
    expect(fs.readFileSync(path.join(out, "summary.json"), "utf8")).toBe(r.stdout);
  });

  it("gives byte-identical summary.json for the same seed and different numbers for another", () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    const file = "scenarios/bookinfo/simulation.yaml";
    expect(meshsim("run", file, "--duration", "15s", "--quiet", "--out", a).code).toBe(0);
    expect(meshsim("run", file, "--duration", "15s", "--quiet", "--out", b).code).toBe(0);
    expect(meshsim("run", file, "--duration", "15s", "--quiet", "--out", c, "--seed", "2").code).toBe(0);
    const read = (d: string) => fs.readFileSync(path.join(d, "summary.json"), "utf8");
    expect(read(a)).toBe(read(b));
    expect(read(c)).not.toBe(read(a));
    expect(JSON.parse(read(c)).seed).toBe(2);
  });

  it("exits 1 when an expectation fails, and says which", () => {
    const file = writeScenario({ "s.yaml": simulation(`  expect:\n  - client: users\n    p99: "< 1ms"`) });
    const r = meshsim("run", file, "--out", tmp());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FAIL users p99 < 1ms/);
  });

  const bad: [string, string, RegExp][] = [
    ["malformed YAML", simulation().replace("spec:\n  duration: 20s", "spec:\n  duration: [20s"), /s\.yaml:\d+:\d+/],
    ["a wrong type", simulation("", "rate: fast"), /s\.yaml:\d+:\d+: error: spec\.rate: /],
    ["a missing required field", simulation("", "rate: 5").replace("  target: http://server:8080/\n", ""), /s\.yaml:\d+:\d+: error: spec\.target: /],
    ["a call to a service that does not exist", simulation("", "rate: 5").replace("http://server:8080/", "http://nosuch:8080/"), /s\.yaml:\d+:\d+: error: spec\.target: .*nosuch/],
    ["a negative rate", simulation("", "rate: -5"), /s\.yaml:\d+:\d+: error: spec\.rate: /],
  ];
  for (const [what, text, message] of bad) {
    it(`exits 2 on ${what}, naming file:line:column and the field, without a stack trace`, () => {
      const r = meshsim("run", writeScenario({ "s.yaml": text }), "--out", tmp());
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe("");
    });
  }

  it("exits 2 on a bad flag value and on a missing file", () => {
    expect(meshsim("run", "scenarios/mmc.yaml", "--duration", "soon").code).toBe(2);
    const r = meshsim("run", "no/such/file.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no\/such\/file\.yaml/);
  });

  it("explains itself with --help", () => {
    const r = meshsim("run", "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--seed/);
    expect(r.stdout).toMatch(/Exit codes/);
  });
});

describe("progress", () => {
  it("does not change the results: a run watched chunk by chunk gives the same summary", async () => {
    const { loadScenario } = await import("../../src/scenario/index.js");
    const { runScenario } = await import("../../src/runner/run-scenario.js");
    const { summaryJson } = await import("../../src/report/write-reports.js");
    const s = loadScenario(path.join(ROOT, "scenarios/bookinfo/simulation.yaml"));
    const seen: number[] = [];
    const watched = summaryJson(runScenario(s, { durationMs: 20_000, progress: (d) => seen.push(d) }).summary);
    expect(summaryJson(runScenario(s, { durationMs: 20_000 }).summary)).toBe(watched);
    expect(seen.length).toBe(100);
    expect(seen[99]).toBe(1);
  });
});

describe("meshsim analyze", () => {
  it("exits 1 with istioctl-style messages and their simulated times for a wrong-order rollout", () => {
    const r = meshsim("analyze", "scenarios/control-plane/canary-wrong-order.yaml");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('Error [IST0101] (VirtualService reviews.default) Referenced host+subset in destinationrule not found: "reviews+v3" [from 30s to 40s]\n');
  });
  it("exits 0 for a clean scenario", () => {
    const r = meshsim("analyze", "scenarios/bookinfo/simulation.yaml");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/No validation issues/);
  });
});

describe("meshsim check", () => {
  it("prints each expectation with PASS or FAIL, writes no reports, and exits 1 when one failed", () => {
    const ok = meshsim("check", "scenarios/resilience/circuit-breaking-c2.yaml");
    expect(ok.code).toBe(0);
    // Istio's circuit-breaking task: 2–3 of 20 refused at -c 2 (seed 1: 2).
    expect(ok.stdout).toContain("PASS  fortio flags.UO > 0  (actual 2)");
    expect(ok.stdout).toMatch(/^7 passed, 0 failed$/m);
    // At 90 rps the M/M/5 queue is at ρ = 0.9: the mean is far above the scenario's 66 ms bound.
    const bad = meshsim("check", "scenarios/mmc.yaml", "--duration", "100s", "--set", "LoadGenerator/users:spec.rate=90");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^FAIL {2}users mean < 66ms/m);
    expect(bad.stdout).toMatch(/^1 passed, 1 failed$/m);
  });
});
