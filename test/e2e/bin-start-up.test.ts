// What a meshsim process evaluates before it works (docs/performance.md, "Goal 2"): each command's
// module only when that command runs, and string-width's Unicode tables only for non-ASCII text,
// with the widths and the help text unchanged.
import assert from "node:assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as esbuild from "esbuild";
import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { BIN, ROOT } from "../support/cli.js";
import { mmcYaml } from "../support/scenario-text.js";
// @ts-expect-error: the build script is plain JavaScript without type declarations
import { lazyAssert, lazyStringWidth, REQUIRE_BANNER } from "../../esbuild.config.mjs";

const DIST = path.join(ROOT, "dist/bin");

/** The source modules (`// src/...` comments) of a bundle file and of every chunk it imports statically. */
function staticModules(file: string): Set<string> {
  const seen = new Set<string>(), modules = new Set<string>();
  const visit = (f: string): void => {
    if (seen.has(f)) return;
    seen.add(f);
    const text = fs.readFileSync(path.join(DIST, f), "utf8");
    for (const m of text.matchAll(/^\/\/ (src\/\S+\.ts)$/gm)) modules.add(m[1]!);
    for (const m of text.matchAll(/^import (?:[^"]*? from )?"\.\/([^"]+\.js)";?$/gm)) visit(m[1]!);
  };
  visit(file);
  return modules;
}

describe("start-up of the bundled bin", () => {
  it("the entry loads no command module; `run` loads its own and not the others'", () => {
    const entry = staticModules("meshsim.js");
    expect(entry).toContain("src/cli/main.ts");
    for (const cmd of ["run-command", "sweep-command", "report-command", "analyze-command", "check-command", "compare-modes-command", "inspect-commands", "ztunnel-config-command"]) {
      expect(entry).not.toContain(`src/cli/${cmd}.ts`);
    }
    const runChunk = fs.readdirSync(DIST).find((f) => /^run-command-\w+\.js$/.test(f));
    expect(runChunk).toBeDefined();
    const run = staticModules(runChunk!);
    expect(run).toContain("src/cli/run-command.ts");
    expect(run).toContain("src/mesh/world.ts");
    for (const cmd of ["sweep-command", "report-command", "compare-modes-command", "inspect-commands", "ztunnel-config-command"]) {
      expect(run).not.toContain(`src/cli/${cmd}.ts`);
    }
    // The writers of the other formats are imported when their format is asked (report/write-reports.ts):
    // a `--format json` run, every sweep replication among them, does not evaluate them.
    for (const writer of ["markdown", "html/report-page", "prometheus", "fortio", "latency-bins"]) {
      expect(run).not.toContain(`src/report/${writer}.ts`);
    }
  });

  it("re2js and tinyglobby are not in the bundle: loaded from node_modules when a regex or an include needs them", () => {
    const js = fs.readdirSync(DIST).filter((f) => f.endsWith(".js")).map((f) => fs.readFileSync(path.join(DIST, f), "utf8")).join("\n");
    expect(js).toContain("src/proxy/route/re2-library.ts");
    for (const lib of ["re2js", "tinyglobby", "picomatch", "fdir"]) expect(js).not.toContain(`// node_modules/${lib}/`);
    // Both through the bin: a regex a proxy compiles and NACKs for its RE2 program size, and an include.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-lazy-"));
    for (const f of ["scenarios/control-plane/nack-regex.yaml", "scenarios/gateway-api/retry.yaml"]) {
      const r = spawnSync(process.execPath, [BIN, "run", path.join(ROOT, f), "--format", "json", "--quiet", "--out", out], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
    fs.rmSync(out, { recursive: true, force: true });
  });

  it("includes that are file names (every shipped scenario's) never load tinyglobby; a glob does (scenario/include-pattern.ts)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-include-"));
    // CommonJS modules loaded from node_modules, listed at exit (tinyglobby is required, not imported).
    const hook = `data:text/javascript,${encodeURIComponent('import m from "node:module"; const r = m.createRequire(process.cwd() + "/"); process.on("exit", () => process.stderr.write("loaded " + JSON.stringify(Object.keys(r.cache).filter((k) => /tinyglobby/.test(k)).length)))')}`;
    const run = (file: string) => spawnSync(process.execPath, ["--import", hook, BIN, "run", file, "--duration", "1s", "--format", "json", "--quiet", "--out", path.join(dir, "o")], { encoding: "utf8" });
    const literal = run(path.join(ROOT, "scenarios/bookinfo/simulation.yaml"));
    // 1 s is too short for Bookinfo's `expect` (exit 1); the run itself completes.
    expect(literal.status).toBe(1);
    expect(literal.stderr).toBe("loaded 0");
    fs.copyFileSync(path.join(ROOT, "scenarios/bookinfo/bookinfo.yaml"), path.join(dir, "bookinfo.yaml"));
    fs.copyFileSync(path.join(ROOT, "scenarios/bookinfo/workloads.yaml"), path.join(dir, "workloads.yaml"));
    fs.writeFileSync(path.join(dir, "sim.yaml"), fs.readFileSync(path.join(ROOT, "scenarios/bookinfo/simulation.yaml"), "utf8").replace("include: [bookinfo.yaml, workloads.yaml]", "include: [\"{bookinfo,workloads}.yaml\"]"));
    const glob = run(path.join(dir, "sim.yaml"));
    expect(glob.status).toBe(1);
    expect(glob.stderr).toMatch(/^loaded [1-9]/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a run without JWT never loads node:crypto (seedrandom's Alea alone; the JWT modules load it at first use)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-crypto-"));
    const file = path.join(dir, "s.yaml");
    fs.writeFileSync(file, mmcYaml({ c: 2, rate: 100, meanServiceMs: 1, durationS: 1, warmupS: 0 }));
    const hook = `data:text/javascript,${encodeURIComponent('process.on("exit", () => process.stderr.write("loaded " + JSON.stringify(process.moduleLoadList.filter((m) => /crypto/.test(m)))))')}`;
    const r = spawnSync(process.execPath, ["--import", hook, BIN, "run", file, "--format", "json", "--quiet", "--out", path.join(dir, "o")], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("loaded []");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("every bundle file is ASCII (V8 scans it one byte per character), and µs still parses", () => {
    for (const f of fs.readdirSync(DIST).filter((f) => f.endsWith(".js"))) {
      expect({ f, ascii: /^[\x00-\x7f]*$/.test(fs.readFileSync(path.join(DIST, f), "utf8")) }).toEqual({ f, ascii: true });
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-ascii-"));
    const file = path.join(dir, "s.yaml");
    fs.writeFileSync(file, mmcYaml({ c: 1, rate: 100, meanServiceMs: 1, durationS: 1, warmupS: 0 }).replace("latency: 0ms", "latency: 150\u00b5s"));
    const r = spawnSync(process.execPath, [BIN, "run", file, "--format", "json", "--quiet", "--out", path.join(dir, "o")], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the bundle's yaml reads no environment switch per token or document", () => {
    const js = fs.readdirSync(DIST).filter((f) => f.endsWith(".js")).map((f) => fs.readFileSync(path.join(DIST, f), "utf8")).join("\n");
    expect(js).toContain("node_modules/yaml/dist/parse/parser.js");
    expect(js).not.toMatch(/process\.env\.LOG_(TOKENS|STREAM)/);
  });

  it("yargs' assert stand-in passes what Node's assert passes and throws what it throws; Node's assert is not loaded", async () => {
    const shim = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-assert-")), "yargs", "lib", "platform-shims");
    fs.mkdirSync(shim, { recursive: true });
    fs.writeFileSync(path.join(shim, "esm.mjs"), [
      `import { notStrictEqual, strictEqual } from "assert";`,
      `const outcome = (f) => { try { f(); return "ok"; } catch (e) { return [e.name, e.code, e.message]; } };`,
      `export const outcomes = [`,
      `  outcome(() => strictEqual(1, 1)), outcome(() => strictEqual(NaN, NaN)), outcome(() => strictEqual("a", "a", "m")),`,
      `  outcome(() => strictEqual(typeof 1, "string")), outcome(() => strictEqual(0, -0)), outcome(() => strictEqual(1, 2, "custom")),`,
      `  outcome(() => notStrictEqual(1, 2)), outcome(() => notStrictEqual(1, 1)), outcome(() => notStrictEqual(NaN, NaN, "m")), outcome(() => notStrictEqual(0, -0)),`,
      `];`,
    ].join("\n"));
    await esbuild.build({
      entryPoints: [path.join(shim, "esm.mjs")], outfile: path.join(shim, "out.mjs"), bundle: true, format: "esm", platform: "node",
      target: "node20", plugins: [lazyAssert], banner: { js: REQUIRE_BANNER }, logLevel: "silent",
    });
    expect(fs.readFileSync(path.join(shim, "out.mjs"), "utf8")).not.toMatch(/from "(node:)?assert"/);
    const { outcomes } = (await import(path.join(shim, "out.mjs"))) as { outcomes: unknown[] };
    const outcome = (f: () => void): unknown => { try { f(); return "ok"; } catch (e) { const x = e as { name: string; code: string; message: string }; return [x.name, x.code, x.message]; } };
    const want = [
      outcome(() => assert.strictEqual(1, 1)), outcome(() => assert.strictEqual(NaN, NaN)), outcome(() => assert.strictEqual("a", "a", "m")),
      outcome(() => assert.strictEqual(typeof 1, "string")), outcome(() => assert.strictEqual(0, -0)), outcome(() => assert.strictEqual(1, 2, "custom")),
      outcome(() => assert.notStrictEqual(1, 2)), outcome(() => assert.notStrictEqual(1, 1)), outcome(() => assert.notStrictEqual(NaN, NaN, "m")), outcome(() => assert.notStrictEqual(0, -0)),
    ];
    expect(outcomes).toEqual(want);
    expect(want.filter((w) => w !== "ok")).toHaveLength(5);
    // Whether Node's assert is loaded can only be seen in a process of its own: the bin's.
    const r = spawnSync(process.execPath, ["--import", `data:text/javascript,${encodeURIComponent('process.on("exit", () => process.stderr.write(String(process.moduleLoadList.includes("NativeModule assert"))))')}`, BIN, "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("false");
  });

  it("the bundle's string-width stand-in gives string-width's own widths, ASCII or not", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-width-"));
    const samples = ["", "abc", "run <scenario>  [string] [required]", "日本語", "👍🏽", "e\u0301", "\u001b[31mred\u001b[0m", "tab\there", "ok ✓", "ｈａｌｆ"];
    fs.writeFileSync(path.join(dir, "entry.mjs"), `import w from "string-width";\nexport const widths = ${JSON.stringify(samples)}.map((s) => w(s));\n`);
    await esbuild.build({
      entryPoints: [path.join(dir, "entry.mjs")], outfile: path.join(dir, "out.mjs"), bundle: true, format: "esm", platform: "node",
      target: "node20", nodePaths: [path.join(ROOT, "node_modules")], plugins: [lazyStringWidth], logLevel: "silent",
    });
    const out = fs.readFileSync(path.join(dir, "out.mjs"), "utf8");
    // The real module is behind esbuild's lazy initialiser, not evaluated at load.
    expect(out).toMatch(/lazy-string-width:node_modules\/string-width\/index\.js/);
    expect(out).toMatch(/init_string_width\(\)/);
    const { widths } = (await import(path.join(dir, "out.mjs"))) as { widths: number[] };
    expect(widths).toEqual(samples.map((s) => stringWidth(s)));
    expect(widths.slice(0, 3)).toEqual([0, 3, 35]);
    expect(widths[3]).toBe(6);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("--help through the bundle is byte for byte the help of the sources (real string-width)", () => {
    for (const args of [["--help"], ["run", "--help"], ["sweep", "--help"]]) {
      const bin = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, COLUMNS: "72" } });
      const src = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, COLUMNS: "72" } });
      expect(bin.status).toBe(0);
      expect(src.status).toBe(0);
      expect(bin.stdout.length).toBeGreaterThan(200);
      expect(bin.stdout).toBe(src.stdout);
    }
  });

  it("the bundle's yargs renders no help after a command ran; a handler's error reads as the sources' (which render it)", () => {
    // esbuild.config.mjs, noHelpCacheAfterCommand; yargs' lib/command.ts calls cacheHelpMessage after the handler.
    const js = fs.readFileSync(path.join(DIST, "meshsim.js"), "utf8");
    expect(js).toContain("self.cacheHelpMessage = function");
    expect(js).not.toContain("cachedHelpMessage = this.help()");
    // Errors thrown by handlers (after yargs parsed and would have cached the help), through both.
    for (const args of [["sweep", "scenarios/mmc.yaml", "--set", "Workload/server:spec.concurrency=[5]", "-r", "0"], ["report", "no-such-folder"]]) {
      const bin = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8" });
      const src = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: ROOT, encoding: "utf8" });
      expect(bin.status).toBe(2);
      expect(bin.stderr).toMatch(/^meshsim: /);
      expect({ status: bin.status, stdout: bin.stdout, stderr: bin.stderr }).toEqual({ status: src.status, stdout: src.stdout, stderr: src.stderr });
    }
  });
});
