// `--set` and `meshsim sweep`/`merge` as a capacity planner uses them: an override changes the run as
// if it had been written in the file, a typo is an input error, and a sweep's confidence intervals
// come from independent seeds and do not depend on workers or sharding.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { estimate, tQuantile95 } from "../../src/report/sweep-summary.js";
import { applyOverrides, parseOverrides, parseSet } from "../../src/scenario/overrides.js";
import { parseDocument } from "yaml";
import { BIN, ROOT, meshsim, tmpDir } from "../support/cli.js";

const MMC = "scenarios/mmc.yaml";

const tmp = () => tmpDir("meshsim-sweep-");

describe("--set overrides", () => {
  it("parses a target, a path with indices and a YAML value", () => {
    const p = parseSet("LoadGenerator/users:spec.headers[1].fraction=0.5");
    expect(p.target).toEqual({ kind: "LoadGenerator", name: "users", path: ["spec", "headers", 1, "fraction"] });
    expect(p.values).toEqual([0.5]);
    expect(parseSet("spec.duration=[10s, 20s]").values).toEqual(["10s", "20s"]);
  });

  it("replaces the field only in the document of that kind and name", () => {
    const doc = parseDocument("kind: LoadGenerator\nmetadata: {name: users}\nspec: {rate: 10}\n");
    const other = parseDocument("kind: LoadGenerator\nmetadata: {name: bots}\nspec: {rate: 10}\n");
    const o = parseOverrides(["LoadGenerator/users:spec.rate=99"]);
    const applied = new Set<(typeof o)[number]>();
    applyOverrides(doc, o, applied);
    applyOverrides(other, o, applied);
    expect(doc.getIn(["spec", "rate"])).toBe(99);
    expect(other.getIn(["spec", "rate"])).toBe(10);
    expect(applied.size).toBe(1);
  });

  it("changes the run as the same value written in the file would", () => {
    const r = meshsim("run", MMC, "--duration", "60s", "--json", "--quiet", "--out", tmp(), "--set", "LoadGenerator/users:spec.rate=20");
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    // 20 rps over the 40 s after the 20 s warm-up: about 800 requests (±4σ of a Poisson count).
    expect(Math.abs(s.clients.users.requests - 800)).toBeLessThan(4 * Math.sqrt(800));
  });

  it("rejects a target that is not in the scenario and a list given to run, with exit 2", () => {
    const a = meshsim("run", MMC, "--quiet", "--out", tmp(), "--set", "LoadGenerator/nobody:spec.rate=20");
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('no LoadGenerator named "nobody"');
    expect(a.stderr).not.toContain("    at ");
    const b = meshsim("run", MMC, "--quiet", "--out", tmp(), "--set", "LoadGenerator/users:spec.rate=[1,2]");
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("meshsim sweep");
  });

  it("reports a bad overriding value at the field it replaced", () => {
    const r = meshsim("run", MMC, "--quiet", "--out", tmp(), "--set", "LoadGenerator/users:spec.rate=fast");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/mmc\.yaml:\d+:\d+: error: spec\.rate/);
  });
});

describe("confidence intervals", () => {
  it("uses Student's t: the half-width of 1, 2, 3 is t(2) · s/√n", () => {
    const e = estimate([1, 2, 3]);
    expect(e.mean).toBe(2);
    expect(e.ci95).toBeCloseTo((4.303 * 1) / Math.sqrt(3), 3);
    expect(estimate([5]).ci95).toBeNull();
    expect(tQuantile95(1000)).toBeCloseTo(1.96, 2);
  });
});

describe("meshsim sweep", () => {
  const sets = ["--set", "LoadGenerator/users:spec.rate=[40,80]"];

  it("runs every point R times and shows the load's effect beyond the intervals", () => {
    const out = tmp();
    const r = meshsim("sweep", MMC, ...sets, "-r", "3", "-w", "2", "--duration", "120s", "--quiet", "--out", out);
    expect(r.code).toBe(0);
    const s = JSON.parse(fs.readFileSync(path.join(out, "sweep.json"), "utf8"));
    expect(s.points).toHaveLength(2);
    const [low, high] = s.points.map((p: { clients: { users: { mean: { mean: number; ci95: number } } } }) => p.clients.users.mean);
    expect(s.points[0].seeds).toEqual([1, 2, 3]);
    // M/M/5 with 50 ms service: Erlang C gives ≈ 50.4 ms at ρ = 0.4 and ≈ 92 ms at ρ = 0.8.
    expect(low.mean).toBeGreaterThan(48);
    expect(low.mean).toBeLessThan(54);
    expect(high.mean - high.ci95).toBeGreaterThan(low.mean + low.ci95);
    expect(r.stdout).toContain("| 80 | users |");
  });

  it("gives the same summary with one worker, two workers, or two shards merged", () => {
    const [one, two, s1, s2, merged] = [tmp(), tmp(), tmp(), tmp(), tmp()];
    const common = [...sets, "-r", "2", "--duration", "30s", "--quiet"];
    expect(meshsim("sweep", MMC, ...common, "-w", "1", "--out", one).code).toBe(0);
    expect(meshsim("sweep", MMC, ...common, "-w", "2", "--out", two).code).toBe(0);
    expect(meshsim("sweep", MMC, ...common, "--shard", "1/2", "--out", s1).code).toBe(0);
    expect(meshsim("sweep", MMC, ...common, "--shard", "2/2", "--out", s2).code).toBe(0);
    expect(fs.existsSync(path.join(s1, "sweep.json"))).toBe(false);
    expect(meshsim("merge", s1, s2, "--out", merged, "--quiet").code).toBe(0);
    const read = (d: string) => fs.readFileSync(path.join(d, "sweep.json"), "utf8");
    expect(read(two)).toBe(read(one));
    expect(read(merged)).toBe(read(one));
  });
});

describe("meshsim sweep --job", () => {
  it("prints an Indexed Job whose pods' commands, run as Kubernetes would, merge into the same sweep", () => {
    const common = ["--set", "LoadGenerator/users:spec.rate=[40,80]", "-r", "2", "--duration", "30s"];
    const r = meshsim("sweep", MMC, ...common, "--job", "3");
    expect(r.code).toBe(0);
    const job = parseDocument(r.stdout).toJS();
    expect(job.kind).toBe("Job");
    expect(job.spec).toMatchObject({ completionMode: "Indexed", completions: 3, parallelism: 3 });
    const [sh, flag, command] = job.spec.template.spec.containers[0].command as string[];
    expect([sh, flag]).toEqual(["sh", "-c"]);
    const results = tmp();
    for (let index = 0; index < 3; index++) {
      const local = command!.replace("npx meshsim", `"${process.execPath}" "${BIN}"`).replaceAll("/results", results);
      const run = spawnSync("sh", ["-c", local], { cwd: ROOT, encoding: "utf8", env: { ...process.env, JOB_COMPLETION_INDEX: String(index) } });
      expect(run.status).toBe(0);
    }
    const merged = tmp();
    const shards = [0, 1, 2].map((i) => path.join(results, `shard-${i}`));
    expect(meshsim("merge", ...shards, "--out", merged, "--quiet").code).toBe(0);
    const direct = tmp();
    expect(meshsim("sweep", MMC, ...common, "--quiet", "--out", direct).code).toBe(0);
    const read = (d: string) => fs.readFileSync(path.join(d, "sweep.json"), "utf8");
    expect(read(merged)).toBe(read(direct));
  });
});
