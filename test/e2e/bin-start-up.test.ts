// What a meshsim process evaluates before it works (docs/performance.md, "Goal 2"), read from the script
// the bin runs (dist/bin/command-script.cjs, esbuild.config.mjs): each command's modules only when that
// command runs, re2js and tinyglobby from node_modules only when a scenario needs them, string-width's
// Unicode tables only for non-ASCII text and no Node assert, with the widths and the help text unchanged.
import assert from "node:assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import * as esbuild from "esbuild";
import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { BIN, ROOT, tmpDir } from "../support/cli.js";
import { mmcYaml } from "../support/scenario-text.js";
// @ts-expect-error: the build script is plain JavaScript without type declarations
import { lazyAssert, lazyStringWidth } from "../../esbuild.config.mjs";

const SCRIPT = path.join(ROOT, "dist/bin/command-script.cjs");
const script = (): string => fs.readFileSync(SCRIPT, "utf8");

/**
 * esbuild's runtime helpers that evaluate a bundled module the first time something imports it: `__esm`
 * (an ES module, `var init_x = __esm({ "src/x.ts"() {...} })`) and `__commonJS` (a CommonJS one). Each
 * calls the module's function by its one property, named after the module's path.
 */
const INIT_CALLS = ["fn[__getOwnPropNames(fn)[0]]", "cb[__getOwnPropNames(cb)[0]]"];

/**
 * A preload for the bin's process: it rewrites the script as the loader compiles it (vm.Script) so that
 * both helpers report each module they evaluate, and writes at exit what was evaluated and which files
 * Node's require loaded. No code cache (it would be refused for the changed source anyway).
 */
const TRACE = [
  'import fs from "node:fs";',
  'import { createRequire } from "node:module";',
  'import vm from "node:vm";',
  // Each helper's call, and the same call reporting the module's name first.
  `const calls = ${JSON.stringify(INIT_CALLS.map((c) => [c, c.replace("[__getOwnPropNames", "[__traceInit(__getOwnPropNames").replace(/\]$/, ")]")]))};`,
  "const inits = [];",
  "let patched = 0;",
  "globalThis.__traceInit = (name) => (inits.push(name), name);",
  "const Script = vm.Script;",
  "vm.Script = class extends Script {",
  "  constructor(source, options) {",
  "    for (const [c, t] of calls) if (source.split(c).length === 2) { patched++; source = source.replace(c, t); }",
  "    super(source, options);",
  "  }",
  "};",
  'process.on("exit", () => fs.writeFileSync(process.env.MESHSIM_TRACE, JSON.stringify({ patched, inits, required: Object.keys(createRequire(import.meta.url).cache) })));',
].join("\n");

interface Trace { status: number | null; stderr: string; patched: number; inits: string[]; required: string[] }

/** The bin run with the TRACE preload. */
function traced(...args: string[]): Trace {
  const dir = tmpDir("meshsim-trace-");
  fs.writeFileSync(path.join(dir, "trace.mjs"), TRACE);
  const env: NodeJS.ProcessEnv = { ...process.env, MESHSIM_CODE_CACHE: "", MESHSIM_TRACE: path.join(dir, "trace.json") };
  delete env["MESHSIM_DEBUG"];
  const r = spawnSync(process.execPath, ["--import", path.join(dir, "trace.mjs"), BIN, ...args], { cwd: ROOT, encoding: "utf8", env });
  const t = JSON.parse(fs.readFileSync(path.join(dir, "trace.json"), "utf8")) as Omit<Trace, "status" | "stderr">;
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, stderr: r.stderr, ...t };
}

/** M/M/2 for 1 s, no `expect`. */
function mmcFile(): string {
  const file = path.join(tmpDir(), "s.yaml");
  fs.writeFileSync(file, mmcYaml({ c: 2, rate: 100, meanServiceMs: 1, durationS: 1, warmupS: 0 }));
  return file;
}

const COMMANDS = ["run-command", "sweep-command", "report-command", "analyze-command", "check-command", "compare-modes-command", "inspect-commands", "ztunnel-config-command", "sweep-worker"].map((c) => `src/cli/${c}.ts`);
/** The real string-width modules (the stand-ins are `lazy-string-width:` + the same path). */
const STRING_WIDTHS = ["node_modules/string-width/index.js", "node_modules/cliui/node_modules/string-width/index.js", "node_modules/wrap-ansi/node_modules/string-width/index.js"];

describe("start-up of the bin's script", () => {
  it("every module of the script but its entry sits behind an initialiser, so the trace below sees every module evaluated", () => {
    const js = script();
    const modules = [...js.matchAll(/^\/\/ (\S+)$/gm)].map((m) => m[1]!);
    const wrapped = new Set([...js.matchAll(/= __(?:esm|commonJS)\(\{\n {2}"([^"]+)"\(/g)].map((m) => m[1]!));
    expect(modules.length).toBeGreaterThan(300);
    expect(modules.filter((m) => !wrapped.has(m))).toEqual(["src/cli/command-script.ts"]);
  });

  it("`--help` evaluates no command's modules; `run` its own and not the others'; ASCII help no real string-width", () => {
    const help = traced("--help");
    expect(help.status).toBe(0);
    expect(help.patched).toBe(INIT_CALLS.length);
    expect(help.inits).toContain("src/cli/main.ts");
    expect(help.inits).toContain("lazy-string-width:node_modules/string-width/index.js");
    for (const m of [...COMMANDS, ...STRING_WIDTHS, "src/mesh/world.ts", "node_modules/yaml/dist/index.js"]) expect(help.inits).not.toContain(m);
    const run = traced("run", mmcFile(), "--format", "json", "--quiet", "--out", tmpDir());
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    expect(run.inits).toEqual(expect.arrayContaining(["src/cli/main.ts", "src/cli/run-command.ts", "src/mesh/world.ts", "node_modules/yaml/dist/index.js"]));
    // run-command.ts imports analyze-command.ts (formatTimed), and so evaluates it.
    for (const m of [...COMMANDS.filter((c) => !/\/(run|analyze)-command\.ts$/.test(c)), ...STRING_WIDTHS]) expect(run.inits).not.toContain(m);
    // The writers of the other formats are imported when their format is asked (report/write-reports.ts):
    // a `--format json` run, every sweep replication among them, does not evaluate them.
    expect(run.inits).toContain("src/report/write-reports.ts");
    for (const writer of ["markdown", "html/report-page", "prometheus", "fortio", "latency-bins"]) expect(run.inits).not.toContain(`src/report/${writer}.ts`);
  });

  it("re2js and tinyglobby are not in the script: Node loads them from node_modules when a regex or an include needs them", () => {
    const js = script();
    expect(js).toContain("src/proxy/route/re2-library.ts");
    expect(js).toContain("src/scenario/load.ts");
    for (const lib of ["re2js", "tinyglobby", "picomatch", "fdir", "d3"]) expect(js).not.toContain(`// node_modules/${lib}/`);
    const loaded = (t: Trace, lib: string): boolean => t.required.some((f) => f.includes(`${path.sep}node_modules${path.sep}${lib}${path.sep}`));
    const plain = traced("run", mmcFile(), "--format", "json", "--quiet", "--out", tmpDir());
    expect(plain.status).toBe(0);
    expect(["re2js", "tinyglobby"].filter((lib) => loaded(plain, lib))).toEqual([]);
    // A regex a proxy compiles and NACKs for its RE2 program size; an include that names a file (every
    // shipped scenario's: no glob, so no tinyglobby, scenario/include-pattern.ts) and one that is a glob.
    const regex = traced("run", path.join(ROOT, "scenarios/control-plane/nack-regex.yaml"), "--format", "json", "--quiet", "--out", tmpDir());
    const named = traced("run", path.join(ROOT, "scenarios/gateway-api/retry.yaml"), "--format", "json", "--quiet", "--out", tmpDir());
    for (const t of [regex, named]) expect({ status: t.status, stderr: t.stderr }).toEqual({ status: 0, stderr: "" });
    expect(loaded(regex, "re2js")).toBe(true);
    expect(loaded(named, "tinyglobby")).toBe(false);
    const dir = tmpDir();
    fs.copyFileSync(path.join(ROOT, "scenarios/gateway-api/backend.yaml"), path.join(dir, "backend.yaml"));
    const sim = fs.readFileSync(path.join(ROOT, "scenarios/gateway-api/retry.yaml"), "utf8");
    expect(sim).toContain("include: [backend.yaml]");
    fs.writeFileSync(path.join(dir, "retry.yaml"), sim.replace("include: [backend.yaml]", 'include: ["back*.yaml"]'));
    const glob = traced("run", path.join(dir, "retry.yaml"), "--format", "json", "--quiet", "--out", tmpDir());
    expect({ status: glob.status, stderr: glob.stderr }).toEqual({ status: 0, stderr: "" });
    expect(loaded(glob, "tinyglobby")).toBe(true);
  });

  it("no folder above the working one is listed: yargs' version guess is not in the script (meshsim sets its own)", () => {
    // Every readdirSync of the process, listed at exit. yargs' factory guessed a version by listing the
    // working folder and each one above it until a package.json (esbuild.config.mjs noVersionGuess).
    const hook = `data:text/javascript,${encodeURIComponent('import fs from "node:fs"; const seen = []; const list = fs.readdirSync; fs.readdirSync = function (p, ...rest) { seen.push(String(p)); return list.call(this, p, ...rest); }; process.on("exit", () => process.stderr.write(JSON.stringify(seen)))')}`;
    const cwd = tmpDir("meshsim-cwd-");
    const env: NodeJS.ProcessEnv = { ...process.env, MESHSIM_CODE_CACHE: "" };
    const listed = (args: string[]): string[] => {
      const r = spawnSync(process.execPath, ["--import", hook, BIN, ...args], { cwd, encoding: "utf8", env });
      expect(r.status).toBe(0);
      return JSON.parse(r.stderr) as string[];
    };
    const above = (p: string): boolean => path.relative(path.resolve(p), cwd).split(path.sep)[0] !== "..";
    expect(listed(["--help"]).filter(above)).toEqual([]);
    expect(listed(["--version", "--help"]).filter(above)).toEqual([]);
    expect(spawnSync(process.execPath, [BIN, "-V"], { cwd, encoding: "utf8" }).stdout).toBe(`${JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version}\n`);
  });

  it("a quiet run without JWT or ipBlocks never loads node:crypto or node:net (seedrandom's Alea alone; JWT and ipBlocks load them at first use)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-crypto-"));
    const file = path.join(dir, "s.yaml");
    fs.writeFileSync(file, mmcYaml({ c: 2, rate: 100, meanServiceMs: 1, durationS: 1, warmupS: 0 }));
    const hook = `data:text/javascript,${encodeURIComponent('process.on("exit", () => { const l = JSON.stringify(process.moduleLoadList.filter((m) => /crypto|NativeModule net$/.test(m))); process.stderr.write("loaded " + l); })')}`;
    // stdout and stderr are pipes here, and a pipe (or a terminal) is a net.Socket: the first touch of
    // process.stdout or process.stderr loads node:net. So the hook reads the list before it writes, and
    // a quiet run must not touch stdout (yargs' shim read its width at load: esbuild.config.mjs,
    // lazyStdColumns).
    const r = spawnSync(process.execPath, ["--import", hook, BIN, "run", file, "--format", "json", "--quiet", "--out", path.join(dir, "o")], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("loaded []");
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the script, its loader and its entry are ASCII (V8 scans them one byte per character), and \u00b5s still parses", () => {
    for (const f of ["command-script.cjs", "script-cache.cjs", "command-script-entry.cjs"]) {
      expect({ f, ascii: /^[\x00-\x7f]*$/.test(fs.readFileSync(path.join(ROOT, "dist/bin", f), "utf8")) }).toEqual({ f, ascii: true });
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-ascii-"));
    const file = path.join(dir, "s.yaml");
    fs.writeFileSync(file, mmcYaml({ c: 1, rate: 100, meanServiceMs: 1, durationS: 1, warmupS: 0 }).replace("latency: 0ms", "latency: 150\u00b5s"));
    const r = spawnSync(process.execPath, [BIN, "run", file, "--format", "json", "--quiet", "--out", path.join(dir, "o")], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the script's yaml reads no environment switch per token or document", () => {
    const js = script();
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
    // Built as the script is (esbuild.config.mjs, bundleCommandScript).
    await esbuild.build({
      entryPoints: [path.join(shim, "esm.mjs")], outfile: path.join(shim, "out.cjs"), bundle: true, format: "cjs", platform: "node",
      target: "node20", plugins: [lazyAssert], logLevel: "silent",
    });
    expect(fs.readFileSync(path.join(shim, "out.cjs"), "utf8")).not.toMatch(/require\("(node:)?assert"\);?$/m);
    const { outcomes } = createRequire(import.meta.url)(path.join(shim, "out.cjs")) as { outcomes: unknown[] };
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

  it("the script's string-width stand-in gives string-width's own widths, ASCII or not", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-width-"));
    const samples = ["", "abc", "run <scenario>  [string] [required]", "日本語", "👍🏽", "e\u0301", "\u001b[31mred\u001b[0m", "tab\there", "ok ✓", "ｈａｌｆ"];
    fs.writeFileSync(path.join(dir, "entry.mjs"), `import w from "string-width";\nexport const widths = ${JSON.stringify(samples)}.map((s) => w(s));\n`);
    await esbuild.build({
      entryPoints: [path.join(dir, "entry.mjs")], outfile: path.join(dir, "out.cjs"), bundle: true, format: "cjs", platform: "node",
      target: "node20", nodePaths: [path.join(ROOT, "node_modules")], plugins: [lazyStringWidth], logLevel: "silent",
    });
    const out = fs.readFileSync(path.join(dir, "out.cjs"), "utf8");
    // The real module is behind esbuild's lazy initialiser, not evaluated at load.
    expect(out).toMatch(/lazy-string-width:node_modules\/string-width\/index\.js/);
    expect(out).toMatch(/init_string_width\(\)/);
    const { widths } = createRequire(import.meta.url)(path.join(dir, "out.cjs")) as { widths: number[] };
    expect(widths).toEqual(samples.map((s) => stringWidth(s)));
    expect(widths.slice(0, 3)).toEqual([0, 3, 35]);
    expect(widths[3]).toBe(6);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("--help through the script is byte for byte the help of the sources (real string-width)", () => {
    for (const args of [["--help"], ["run", "--help"], ["sweep", "--help"]]) {
      const bin = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, COLUMNS: "72" } });
      const src = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, COLUMNS: "72" } });
      expect(bin.status).toBe(0);
      expect(src.status).toBe(0);
      expect(bin.stdout.length).toBeGreaterThan(200);
      expect(bin.stdout).toBe(src.stdout);
    }
  });

  it("the script's yargs renders no help after a command ran; a handler's error reads as the sources' (which render it)", () => {
    // esbuild.config.mjs, noHelpCacheAfterCommand; yargs' lib/command.ts calls cacheHelpMessage after the handler.
    const js = script();
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
