// `--set` and `meshsim sweep`/`merge` as a capacity planner uses them: an override changes the run as
// if it had been written in the file, a typo is an input error, and a sweep's confidence intervals
// come from independent seeds and do not depend on workers or sharding.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { estimate, tQuantile95 } from "../../src/report/sweep-summary.js";
import { applyOverrides, parseOverrides, parseSet } from "../../src/scenario/overrides.js";
import { parseAllDocuments, parseDocument } from "yaml";
import { Job } from "kubernetes-models/batch/v1/Job";
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
    // At 80 rps (ρ = 0.8) the mean is ≈ 92 ms, over mmc.yaml's `mean < 66ms`: exit 1, as --help says.
    expect(r.code).toBe(1);
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
    expect(meshsim("sweep", MMC, ...common, "-w", "1", "--out", one).code).toBe(1);
    expect(meshsim("sweep", MMC, ...common, "-w", "2", "--out", two).code).toBe(1);
    // Shard 1 holds runs of both points (p000 seed 1, p001 seed 1), shard 2 the others.
    expect(meshsim("sweep", MMC, ...common, "--shard", "1/2", "--out", s1).code).toBe(1);
    expect(meshsim("sweep", MMC, ...common, "--shard", "2/2", "--out", s2).code).toBe(1);
    expect(fs.existsSync(path.join(s1, "sweep.json"))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(s2, "shard.json"), "utf8"))).toMatchObject({ replications: 2, shard: { index: 2, count: 2 }, runs: ["p000/seed-2", "p001/seed-2"] });
    expect(meshsim("merge", s1, s2, "--out", merged, "--quiet").code).toBe(1);
    const read = (d: string) => fs.readFileSync(path.join(d, "sweep.json"), "utf8");
    expect(read(two)).toBe(read(one));
    expect(read(merged)).toBe(read(one));
    // Every run's summary.json is the same whichever thread ran it.
    for (const run of ["p000/seed-1", "p000/seed-2", "p001/seed-1", "p001/seed-2"]) {
      const summary = (d: string) => fs.readFileSync(path.join(d, run, "summary.json"), "utf8");
      expect(summary(two)).toBe(summary(one));
      expect(summary(run.endsWith("1") ? s1 : s2)).toBe(summary(one));
    }
  });

  it("writes for each run the summary.json that `meshsim run` with its seed and values writes, on either thread", () => {
    // The sweep loads each point once and hands its runs a copy (src/cli/shared-scenario.ts); a
    // `meshsim run` process loads the files itself.
    const sweep = tmp();
    const common = ["--duration", "20s", "--quiet"];
    expect([0, 1]).toContain(meshsim("sweep", MMC, "--set", "LoadGenerator/users:spec.rate=[30,40]", "-r", "2", "-w", "2", ...common, "--out", sweep).code);
    for (const [point, rate] of [["p000", 30], ["p001", 40]] as const) {
      for (const seed of [1, 2]) {
        const alone = tmp();
        expect([0, 1]).toContain(meshsim("run", MMC, "--set", `LoadGenerator/users:spec.rate=${rate}`, "--seed", String(seed), "--format", "json", ...common, "--out", alone).code);
        const summary = (d: string) => fs.readFileSync(path.join(d, "summary.json"), "utf8");
        expect(summary(path.join(sweep, point, `seed-${seed}`))).toBe(summary(alone));
      }
    }
  });

  it("ends at once, without waiting for the worker threads it started first, when it runs nothing", () => {
    // The threads start before the grid is checked (src/cli/main.ts): bad input and --job must not wait for them.
    const bad = meshsim("sweep", MMC, "--set", "LoadGenerator/users:spec.rate=[30,fast]", "-w", "3", "--quiet", "--out", tmp());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/mmc\.yaml:\d+:\d+: error: spec\.rate/);
    const job = meshsim("sweep", MMC, "--set", "LoadGenerator/users:spec.rate=[30,40]", "-w", "2", "--job", "2", "--image", "meshsim:test", "--pvc", "results");
    expect(job.code).toBe(0);
    expect(job.stdout).toContain("kind: Job");
  });

  it("exits 0 when every run meets the expectations", () => {
    const r = meshsim("sweep", MMC, "--set", "LoadGenerator/users:spec.rate=[30,40]", "-r", "2", "-w", "2", "--duration", "60s", "--quiet", "--out", tmp());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("| 2/2 |");
  });

  it("writes its progress as plain lines, without carriage returns, when standard error is not a terminal", () => {
    const r = meshsim("sweep", MMC, ...sets, "-r", "2", "--duration", "10s", "--out", tmp());
    expect(r.stderr).not.toContain("\r");
    expect(r.stderr).toContain("meshsim sweep: 4/4 runs\n");
  });
});

describe("meshsim merge", () => {
  // One sweep in three shards, run once for all the tests below.
  const common = ["--set", "LoadGenerator/users:spec.rate=[30,40]", "-r", "2", "--duration", "40s", "--quiet"];
  let shards: string[] = [];
  const shardsOf = (): string[] => {
    if (shards.length === 0) {
      shards = [1, 2, 3].map((i) => {
        const d = tmp();
        expect(meshsim("sweep", MMC, ...common, "--shard", `${i}/3`, "--out", d).code).toBe(0);
        return d;
      });
    }
    return shards;
  };

  it("refuses, with exit 2, a merge with a shard missing", () => {
    const [a, b] = shardsOf();
    const r = meshsim("merge", a!, b!, "--out", tmp(), "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing shard 3/3");
  });

  it("refuses a shard given twice", () => {
    const [a, b] = shardsOf();
    const r = meshsim("merge", a!, b!, a!, "--out", tmp(), "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("shard 1/3 given twice");
  });

  it("refuses a shard that did not finish (no shard.json) or lost a run's summary", () => {
    const [a, b, c] = shardsOf();
    const copy = tmp();
    fs.cpSync(c!, copy, { recursive: true });
    fs.rmSync(path.join(copy, "shard.json"));
    const unfinished = meshsim("merge", a!, b!, copy, "--out", tmp(), "--quiet");
    expect(unfinished.code).toBe(2);
    expect(unfinished.stderr).toContain("no shard.json");
    fs.cpSync(c!, copy, { recursive: true });
    const run = JSON.parse(fs.readFileSync(path.join(copy, "shard.json"), "utf8")).runs[0];
    fs.rmSync(path.join(copy, run, "summary.json"));
    const lost = meshsim("merge", a!, b!, copy, "--out", tmp(), "--quiet");
    expect(lost.code).toBe(2);
    expect(lost.stderr).toContain("no summary.json");
  });

  it("refuses a shard of another sweep", () => {
    const [a, b] = shardsOf();
    const other = tmp();
    expect(meshsim("sweep", MMC, ...common.slice(0, 2), "-r", "3", "--duration", "40s", "--quiet", "--shard", "3/3", "--out", other).code).toBe(0);
    const r = meshsim("merge", a!, b!, other, "--out", tmp(), "--quiet");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("a shard of another sweep");
  });

  it("merges all the shards, in any order, into the unsharded sweep's summary", () => {
    const [a, b, c] = shardsOf();
    const merged = tmp();
    expect(meshsim("merge", c!, a!, b!, "--out", merged, "--quiet").code).toBe(0);
    const direct = tmp();
    expect(meshsim("sweep", MMC, ...common, "--out", direct).code).toBe(0);
    expect(fs.readFileSync(path.join(merged, "sweep.json"), "utf8")).toBe(fs.readFileSync(path.join(direct, "sweep.json"), "utf8"));
  });
});

describe("meshsim sweep --job", () => {
  const common = ["--set", "LoadGenerator/users:spec.rate=[40,80]", "-r", "2", "--duration", "30s"];
  const job = ["--job", "3", "--image", "registry.example/meshsim:0.1.0", "--pvc", "sweep-results"];

  it("prints Jobs that Kubernetes' batch/v1 schema accepts: the shards' Indexed Job and the merge", () => {
    const r = meshsim("sweep", MMC, ...common, ...job);
    expect(r.code).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS());
    expect(docs).toHaveLength(2);
    for (const d of docs) {
      // kubernetes-models' validators are generated from Kubernetes' OpenAPI spec (ajv).
      expect(() => new Job(d).validate()).not.toThrow();
      const pod = d.spec.template.spec;
      expect(pod.volumes).toEqual([{ name: "results", persistentVolumeClaim: { claimName: "sweep-results" } }]);
      expect(pod.containers[0].image).toBe("registry.example/meshsim:0.1.0");
      expect(pod.containers[0].resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(pod.containers[0].resources.limits.memory).toEqual(expect.any(String));
    }
    expect(docs[0].spec).toMatchObject({ completionMode: "Indexed", completions: 3, parallelism: 3 });
    expect(docs[1].metadata.name).toBe(`${docs[0].metadata.name}-merge`);
  });

  it("the schema check is a real one: a Job with a wrongly typed field or no container name fails it", () => {
    const d = parseAllDocuments(meshsim("sweep", MMC, ...common, ...job).stdout)[0]!.toJS();
    expect(() => new Job({ ...d, spec: { ...d.spec, completions: "3" } }).validate()).toThrow(/completions/);
    const pod = d.spec.template.spec;
    const nameless = { ...d, spec: { ...d.spec, template: { spec: { ...pod, containers: [{ ...pod.containers[0], name: undefined }] } } } };
    expect(() => new Job(nameless).validate()).toThrow(/name/);
  });

  it("requires --image and --pvc (exit 2) instead of printing a Job that cannot work", () => {
    const noImage = meshsim("sweep", MMC, ...common, "--job", "3", "--pvc", "x");
    expect(noImage.code).toBe(2);
    expect(noImage.stderr).toContain("--image");
    const noClaim = meshsim("sweep", MMC, ...common, "--job", "3", "--image", "i");
    expect(noClaim.code).toBe(2);
    expect(noClaim.stderr).toContain("--pvc");
  });

  it("its pods' commands, run as Kubernetes would, leave the unsharded sweep's summary where the merge Job writes it", () => {
    const docs = parseAllDocuments(meshsim("sweep", MMC, ...common, ...job).stdout).map((d) => d.toJS());
    const results = tmp();
    // meshsim is on the image's PATH; here it is this checkout's bin, and the claim a temporary folder.
    const local = (script: string) => script.replaceAll("meshsim ", `"${process.execPath}" "${BIN}" `).replaceAll("/results", results);
    const [, , shardScript] = docs[0].spec.template.spec.containers[0].command as string[];
    for (let index = 0; index < 3; index++) {
      const run = spawnSync("sh", ["-c", local(shardScript!)], { cwd: ROOT, encoding: "utf8", env: { ...process.env, JOB_COMPLETION_INDEX: String(index) } });
      expect(run.status).toBe(0);
    }
    const [sh, flag, mergeScript] = docs[1].spec.template.spec.containers[0].command as string[];
    expect([sh, flag]).toEqual(["sh", "-c"]);
    const merge = spawnSync("sh", ["-c", local(mergeScript!)], { cwd: ROOT, encoding: "utf8" });
    // An `expect` failed at 80 rps: the merge says so with exit 1, and still writes the summary.
    expect(merge.status).toBe(1);
    const direct = tmp();
    expect(meshsim("sweep", MMC, ...common, "--quiet", "--out", direct).code).toBe(1);
    const read = (d: string) => fs.readFileSync(path.join(d, "sweep.json"), "utf8");
    expect(read(path.join(results, docs[0].metadata.name, "sweep"))).toBe(read(direct));
  });
});
