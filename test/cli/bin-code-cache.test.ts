// The bin runs the command line as one script with V8's code cache (src/cli/script-cache.ts,
// docs/performance.md session 21): the first run of a command writes its cache, the next ones use it
// without rewriting it, and the results are the same with a cache, without one and with a damaged one,
// for a run and for a sweep whose worker thread loads the same script.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, ROOT, tmpDir } from "../support/cli.js";
import { mmcYaml } from "../support/scenario-text.js";

/** M/M/5 for 2 s, no `expect`: every run exits 0. */
function scenario(): string {
  const file = path.join(tmpDir(), "mmc.yaml");
  fs.writeFileSync(file, mmcYaml({ c: 5, rate: 400, meanServiceMs: 10, durationS: 2, warmupS: 0 }));
  return file;
}

function bin(cache: string, ...args: string[]): { code: number | null; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, MESHSIM_CODE_CACHE: cache };
  delete env["MESHSIM_DEBUG"];
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env });
  return { code: r.status, stderr: r.stderr };
}

/** The same with MESHSIM_DEBUG set: each thread's line about the cache, sorted. */
function cacheLines(cache: string, ...args: string[]): string[] {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, MESHSIM_CODE_CACHE: cache, MESHSIM_DEBUG: "1" } });
  expect(r.status).toBe(0);
  return r.stderr.split("\n").filter((l) => l.startsWith("meshsim: code cache")).map((l) => l.replace(/: \/.*\/([^/]*)$/, ": $1").replace(/[0-9a-f]{32}-v[\d.]+-\w+-/, "")).sort();
}

const read = (dir: string, f: string): string => fs.readFileSync(path.join(dir, f), "utf8");

describe("the bin's code cache", () => {
  it("the bin runs the script through its entry, which holds the script's hash; the script's import.meta.url is the loader's", () => {
    // What the script holds (the build's stand-ins, ASCII, what stays in node_modules):
    // test/e2e/bin-start-up.test.ts.
    const dist = path.join(ROOT, "dist/bin");
    expect(fs.readFileSync(BIN, "utf8")).toContain("../dist/bin/command-script-entry.cjs");
    expect(fs.readFileSync(path.join(dist, "command-script-entry.cjs"), "utf8")).toMatch(/runCommandScript\(pathToFileURL\(path\.join\(__dirname, "command-script\.cjs"\)\), "[0-9a-f]{32}", isMainThread\)/);
    const js = fs.readFileSync(path.join(dist, "command-script.cjs"), "utf8");
    // No import.meta.url left (import.meta is an empty object in CommonJS): the loader's URL stands for it.
    expect(js).not.toMatch(/import\.meta\.url|import_meta\.url/);
    expect(js).toContain("__meshsimScriptUrl");
  });

  it("a run writes its command's cache once; cached, uncached and damaged-cache runs write the same summary", () => {
    const cache = path.join(tmpDir(), "cache"), out = tmpDir(), mmc = scenario();
    const run = (c: string, o: string): void => {
      expect(bin(c, "run", mmc, "--format", "json", "--quiet", "--out", path.join(out, o))).toEqual({ code: 0, stderr: "" });
    };
    // A failed command (bad input, exit 2) leaves no cache: it stopped before the code a run needs.
    expect(bin(cache, "run", path.join(out, "no-such.yaml")).code).toBe(2);
    expect(fs.existsSync(cache)).toBe(false);
    // Help runs none of the command's code: its cache is the shared one, not the command's.
    expect(bin(cache, "run", "--help").code).toBe(0);
    expect(fs.readdirSync(cache).map((f) => f.replace(/^.*-/, ""))).toEqual(["other.v8cache"]);
    run(cache, "first");
    const files = fs.readdirSync(cache).filter((f) => !f.endsWith("-other.v8cache"));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^[0-9a-f]{32}-${process.version.replace(/\./g, "\\.")}-${process.arch}-run\\.v8cache$`));
    const file = path.join(cache, files[0]!);
    const written = fs.statSync(file);
    run(cache, "warm");
    // Accepted: not written again.
    expect(fs.statSync(file).mtimeMs).toBe(written.mtimeMs);
    expect(fs.statSync(file).ino).toBe(written.ino);
    run("", "off");
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 100] ^= 0xff;
    fs.writeFileSync(file, bytes);
    run(cache, "damaged");
    expect(fs.readFileSync(file).equals(bytes)).toBe(false);
    const args = ["run", mmc, "--format", "json", "--quiet", "--out", path.join(out, "debug")];
    expect(cacheLines(cache, ...args)).toEqual(["meshsim: code cache accepted: run.v8cache"]);
    fs.writeFileSync(file, bytes);
    expect(cacheLines(cache, ...args)).toEqual(["meshsim: code cache corrupt: run.v8cache"]);
    expect(cacheLines(cache, ...args)).toEqual(["meshsim: code cache accepted: run.v8cache"]);
    const first = read(path.join(out, "first"), "summary.json");
    for (const o of ["warm", "off", "damaged"]) expect(read(path.join(out, o), "summary.json")).toBe(first);
  });

  it("a sweep's worker threads load the cached script: the same sweep.json with 1 and 2 threads, cold, warm and with the run's cache", () => {
    const cache = path.join(tmpDir(), "cache"), out = tmpDir(), mmc = scenario();
    const sweep = (w: string, o: string): string => {
      const args = ["sweep", mmc, "--set", "Workload/server:spec.concurrency=[5,8]", "-r", "2", "-w", w, "--quiet", "--out", path.join(out, o)];
      expect(bin(cache, ...args)).toEqual({ code: 0, stderr: "" });
      return read(path.join(out, o), "sweep.json");
    };
    // The first sweep after a run: both threads run with the run's cache, and the sweep writes its own.
    const args = ["sweep", mmc, "--set", "Workload/server:spec.concurrency=[5,8]", "-r", "2", "-w", "2", "--quiet", "--out", path.join(out, "debug")];
    expect(bin(cache, "run", mmc, "--format", "json", "--quiet", "--out", path.join(out, "run")).code).toBe(0);
    expect(cacheLines(cache, ...args)).toEqual(["meshsim: code cache accepted (worker): run.v8cache", "meshsim: code cache accepted: run.v8cache"]);
    const cold = read(path.join(out, "debug"), "sweep.json");
    fs.rmSync(cache, { recursive: true });
    expect(sweep("2", "cold")).toBe(cold);
    expect(fs.readdirSync(cache).filter((f) => f.endsWith("-sweep.v8cache"))).toHaveLength(1);
    expect(sweep("2", "warm")).toBe(cold);
    expect(sweep("1", "one")).toBe(cold);
    // Both threads ran the script with the sweep's cache (replication-threads.ts starts the worker on
    // command-script-entry.cjs when it runs from the script).
    expect(cacheLines(cache, ...args)).toEqual(["meshsim: code cache accepted (worker): sweep.v8cache", "meshsim: code cache accepted: sweep.v8cache"]);
    expect(cacheLines("", ...args)).toEqual(["meshsim: code cache off (worker): none", "meshsim: code cache off: none"]);
  });
});
