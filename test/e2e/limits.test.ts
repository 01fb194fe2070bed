// The fuzz findings of issue 20 (item 10) as a user meets them, through the real command line: runs
// whose estimate is beyond the budget are refused before anything is simulated (exit 2, the field,
// the estimate and the flag that raises it), a bad --out is refused first, a signal writes a
// complete partial report, and the CLI's conventions (--version anywhere, -h).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, ROOT, meshsim, tmpDir } from "../support/cli.js";

const MMC = fs.readFileSync(path.join(ROOT, "scenarios/mmc.yaml"), "utf8");

function scenario(text: string, name = "s.yaml"): string {
  const dir = tmpDir("meshsim-limits-");
  fs.writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
}

/** `meshsim run FILE --quiet --out TMP ...extra`, refused: exit 2, no stack trace, nothing written. */
function refused(file: string, ...extra: string[]): string {
  const out = path.join(tmpDir(), "out");
  const r = meshsim("run", file, "--quiet", "--out", out, ...extra);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toContain("internal error");
  expect(r.code).toBe(2);
  expect(fs.existsSync(path.join(out, "summary.json"))).toBe(false);
  return r.stderr;
}

const SCALE_UP = MMC.replace("  expect:\n", "  timeline:\n  - at: 10s\n    scale: {deployment: server, replicas: 2147483648}\n  expect:\n");
const OUTLIER = `${MMC.replace("mesh: {mode: none}", "mesh: {mode: sidecar}")}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec:
  host: server
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 5, interval: 1ms}
`;

describe("work beyond the budget is refused before the run, naming the field, the estimate and the flag", () => {
  it.concurrent.each([
    ["spec.duration: 99999999999999999999h", [MMC.replace("duration: 600s", "duration: 99999999999999999999h"), []], /spec\.rate: the run would take about [\d.e+]+ events \(LoadGenerator users's load over spec\.duration\).*--max-events/s],
    ["--duration 100000h", [MMC, ["--duration", "100000h"]], /spec\.rate: the run would take about 151,200,000,050 events .*--max-events/],
    ["report.window: 1us", [MMC.replace("warmup: 20s", "warmup: 20s\n  report: {window: 1us}"), []], /spec\.report\.window: the run would take about 580,000,000 report windows.*--max-windows/],
    ["rate: 1e9", [MMC.replace("rate: 70", "rate: 1e9"), []], /spec\.rate: .* events .*over the budget of 200,000,000; raise it with --max-events/],
    ["replicas: 1e6", [MMC.replace("replicas: 1", "replicas: 1000000"), []], /spec\.replicas: the run would take about 1,000,000 pods .*--max-pods/],
    ["a timeline scale to 2^31", [SCALE_UP, []], /spec\.timeline\[0\]\.scale\.replicas: the run would take about 2,147,483,648 pods .*--max-pods/],
    ["outlierDetection.interval: 1ms (the least Istio's validation accepts)", [OUTLIER, ["--max-events", "500000"]], /spec\.trafficPolicy\.outlierDetection\.interval: .* events \(timers every proxy runs .*--max-events/],
  ] as const)("%s", (_name, [text, extra], message) => {
    expect(refused(scenario(text), ...extra)).toMatch(message);
  });

  it("the flag raises the budget: the same run is accepted above its estimate", () => {
    const file = scenario(MMC.replace("duration: 600s", "duration: 60s").replace("warmup: 20s", "warmup: 1s\n  report: {window: 1ms}"));
    expect(refused(file)).toMatch(/59,000 report windows.*--max-windows/);
    const r = meshsim("run", file, "--quiet", "--out", tmpDir(), "--max-windows", "60000");
    expect(r.code).toBe(0);
  });
});

describe("--out is checked before anything is simulated", () => {
  const file = path.join(ROOT, "scenarios/mmc.yaml");
  const cases: [string, () => string | string[], RegExp][] = [
    ["an existing file", () => path.join(ROOT, "package.json"), /--out .*package\.json: cannot make the folder: a file is in the way/],
    ["a path under a file", () => path.join(ROOT, "package.json", "x"), /a file is in the way/],
    ["an empty name", () => "", /--out: empty folder name/],
    ["/proc", () => "/proc/meshsim", /kernel file system/],
    ["given twice", () => ["a", "b"], /--out: give one folder/],
  ];
  it.concurrent.each(cases)("%s: exit 2 at once", (_name, out, message) => {
    const o = out();
    const args = Array.isArray(o) ? o.flatMap((x) => ["--out", path.join(tmpDir(), x)]) : ["--out", o];
    const started = Date.now();
    const r = meshsim("run", file, "--quiet", ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it("an unwritable folder: exit 2 (when not root, who may write anywhere)", () => {
    if (process.getuid?.() === 0) return;
    const dir = tmpDir();
    fs.chmodSync(dir, 0o500);
    const r = meshsim("run", file, "--quiet", "--out", path.join(dir, "out"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/permission denied/);
  });

  it("a reused folder loses the previous run's files, so it never mixes two runs", () => {
    const out = tmpDir();
    fs.writeFileSync(path.join(out, "access.log"), "old\n");
    fs.writeFileSync(path.join(out, "mine.txt"), "kept\n");
    expect([0, 1]).toContain(meshsim("run", file, "--quiet", "--duration", "30s", "--format", "json", "--out", out).code);
    expect(fs.existsSync(path.join(out, "summary.json"))).toBe(true);
    expect(fs.existsSync(path.join(out, "access.log"))).toBe(false);
    expect(fs.readFileSync(path.join(out, "mine.txt"), "utf8")).toBe("kept\n");
  });

  it("an invalid scenario leaves the previous run's files alone", () => {
    const out = tmpDir();
    fs.writeFileSync(path.join(out, "summary.json"), "{}\n");
    expect(meshsim("run", scenario(MMC.replace("rate: 70", "rate: -1")), "--quiet", "--out", out).code).toBe(2);
    expect(fs.readFileSync(path.join(out, "summary.json"), "utf8")).toBe("{}\n");
  });
});

describe("other inputs from the fuzz campaign", () => {
  it("--format \"\" is exit 2", () => {
    const r = meshsim("run", "scenarios/mmc.yaml", "--quiet", "--out", tmpDir(), "--format", "");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--format: no format named");
  });

  it("--set 'spec.expect[99].client=x' is exit 2 naming the list's length", () => {
    const r = meshsim("run", "scenarios/mmc.yaml", "--quiet", "--out", tmpDir(), "--set", "spec.expect[99].client=x");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("spec.expect has 1 item; index 99 is past its end");
    expect(r.stderr).not.toContain("no Simulation in the scenario");
  });

  it("a 260-character LoadGenerator name is exit 2 (Kubernetes allows 253)", () => {
    const long = "u".repeat(260);
    const r = meshsim("run", scenario(MMC.replace("name: users", `name: ${long}`).replace("client: users", `client: ${long}`)), "--quiet", "--out", tmpDir(), "--format", "json,fortio");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/metadata\.name: invalid name "u{80}…": must be no more than 253 characters/);
  });

  it("a LoadGenerator name too long for fortio-<name>.json is exit 2 with --format fortio", () => {
    const long = "u".repeat(250);
    const r = meshsim("run", scenario(MMC.replace("name: users", `name: ${long}`).replace("client: users", `client: ${long}`)), "--quiet", "--out", tmpDir(), "--format", "json,fortio");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/metadata\.name: --format fortio: .*at most 242 characters/);
  });
});

/** Starts a long run, sends `signal` once it is simulating, and resolves with its exit code and stderr. */
function interrupted(signal: "SIGINT" | "SIGTERM", out: string): Promise<{ code: number | null; stderr: string }> {
  const file = path.join(ROOT, "scenarios/mmc.yaml");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "run", file, "--duration", "1000h", "--max-windows", "1e6", "--max-events", "1e12", "--max-memory", "16Gi",
      "--set", "spec.report.window=10s",
      "--format", "json,md,html,traces", "--out", out], { cwd: ROOT });
    let stderr = "";
    let sent = false;
    child.stderr.on("data", (b: Buffer) => { stderr += b.toString(); });
    // Progress lines on a non-terminal come every 30 s; wait for the output folder's first file instead.
    const timer = setInterval(() => {
      if (!sent && fs.existsSync(path.join(out, "traces.json"))) {
        sent = true;
        setTimeout(() => child.kill(signal), 1500);
      }
    }, 100);
    child.on("error", reject);
    child.on("close", (code) => { clearInterval(timer); resolve({ code, stderr }); });
  });
}

describe("SIGINT and SIGTERM stop the run and write a complete partial report", () => {
  it.concurrent.each([["SIGINT", 130], ["SIGTERM", 143]] as const)("%s: exit %i, summary.json marked interrupted, every file valid", async (signal, code) => {
    const out = path.join(tmpDir(), "out");
    const r = await interrupted(signal, out);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(`interrupted by ${signal} at`);
    const summary = JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8"));
    const at = summary.interrupted.atSimulatedSeconds;
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(3_600_000);
    expect(summary.simulatedSeconds).toBe(at);
    // The figures cover the simulated time so far: 70 requests/s over it, windows up to it only.
    expect(summary.clients.users.rps).toBeGreaterThan(60);
    expect(summary.clients.users.rps).toBeLessThan(80);
    const series = summary.timeSeries.clients.users;
    expect(series.at(-1).t).toBeLessThan(at);
    expect(series.length).toBe(Math.ceil((at - 20) / 10));
    expect(() => JSON.parse(fs.readFileSync(path.join(out, "traces.json"), "utf8"))).not.toThrow();
    expect(fs.readFileSync(path.join(out, "report.md"), "utf8")).toContain(`**Interrupted** at ${at} simulated s`);
    expect(fs.readFileSync(path.join(out, "report.html"), "utf8")).toContain('data-figure="interrupted"');
  }, 120_000);
});

describe("command-line conventions", () => {
  it("--version prints meshsim's own version from any folder", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { version: string };
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-elsewhere-"));
    fs.writeFileSync(path.join(elsewhere, "package.json"), JSON.stringify({ name: "other", version: "9.9.9" }));
    const r = spawnSyncIn(elsewhere, "--version");
    expect(r.stdout.trim()).toBe(pkg.version);
    expect(r.stdout).not.toContain("9.9.9");
  });

  it("-h works like --help, for the program and for a command", () => {
    expect(meshsim("-h").stdout).toBe(meshsim("--help").stdout);
    expect(meshsim("merge", "-h").stdout).toBe(meshsim("merge", "--help").stdout);
  });

  it.each(["merge", "report", "check"])("%s --help has a description, an example and the exit codes", (cmd) => {
    const help = meshsim(cmd, "--help").stdout;
    expect(help).toContain("Examples:");
    expect(help).toMatch(/Exit codes: 0[\s\S]*2\s+invalid\s+input/);
  });
});

function spawnSyncIn(cwd: string, ...args: string[]): { stdout: string; code: number | null } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: "utf8" });
  return { stdout: r.stdout, code: r.status };
}

describe("sidecar injection made visible (issue 20, item 2)", () => {
  const labelled = `${MMC.replace("mesh: {mode: none}", "mesh: {mode: sidecar}")}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
`;
  it("meshsim run says which namespaces' workloads run without sidecars, before simulating", () => {
    const r = meshsim("run", scenario(labelled), "--duration", "5s", "--format", "json", "--out", tmpDir());
    expect(r.stderr).toContain("meshsim: namespace default: 1 Deployment without sidecars: the scenario has Namespace documents but none for it, so it is unlabelled (see docs/injection.md)");
  });

  it("meshsim analyze reports IST0102 for it, as istioctl analyze does", () => {
    const r = meshsim("analyze", scenario(labelled));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Info [IST0102] (Namespace default) The namespace is not enabled for Istio injection.");
  });
});
