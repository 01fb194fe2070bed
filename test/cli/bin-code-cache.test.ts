// The bin on Node 20 runs the command line as one script with V8's code cache (src/cli/script-cache.ts,
// docs/performance.md session 21): the first run of a command writes its cache, the next ones use it
// without rewriting it, and the results are the same with a cache, without one and with a damaged one,
// for a run and for a sweep whose worker thread loads the same script.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import module from "node:module";
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
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, MESHSIM_CODE_CACHE: cache } });
  return { code: r.status, stderr: r.stderr };
}

const read = (dir: string, f: string): string => fs.readFileSync(path.join(dir, f), "utf8");

// Node >= 22.1 runs the ES module bundle with Node's own compile cache instead (bin/meshsim.js).
describe.runIf(!("enableCompileCache" in module))("the bin's code cache on Node 20", () => {
  it("a run writes its command's cache once; cached, uncached and damaged-cache runs write the same summary", () => {
    const cache = path.join(tmpDir(), "cache"), out = tmpDir(), mmc = scenario();
    const run = (c: string, o: string): void => {
      expect(bin(c, "run", mmc, "--format", "json", "--quiet", "--out", path.join(out, o))).toEqual({ code: 0, stderr: "" });
    };
    run(cache, "first");
    const files = fs.readdirSync(cache);
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
    const first = read(path.join(out, "first"), "summary.json");
    for (const o of ["warm", "off", "damaged"]) expect(read(path.join(out, o), "summary.json")).toBe(first);
  });

  it("a sweep's worker threads load the cached script: the same sweep.json with 1 and 2 threads, cold and warm", () => {
    const cache = path.join(tmpDir(), "cache"), out = tmpDir(), mmc = scenario();
    const sweep = (w: string, o: string): string => {
      const args = ["sweep", mmc, "--set", "Workload/server:spec.concurrency=[5,8]", "-r", "2", "-w", w, "--quiet", "--out", path.join(out, o)];
      expect(bin(cache, ...args)).toEqual({ code: 0, stderr: "" });
      return read(path.join(out, o), "sweep.json");
    };
    const cold = sweep("2", "cold");
    expect(fs.readdirSync(cache).filter((f) => f.endsWith("-sweep.v8cache"))).toHaveLength(1);
    expect(sweep("2", "warm")).toBe(cold);
    expect(sweep("1", "one")).toBe(cold);
  });
});
