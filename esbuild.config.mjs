// The command line bundled into one CommonJS script that the bin runs with V8's code cache,
// dist/bin/command-script.cjs (bundleCommandScript below; src/cli/script-cache.ts runs it). Node then
// reads one file instead of resolving ~300 modules, and no TypeScript loader (tsx) runs when a user runs
// meshsim. The TypeScript in src/ stays the source; `npm run dev -- <args>` runs it directly. Runtime npm
// dependencies are bundled too, except d3, whose browser bundle report.html inlines from node_modules at
// run time, and re2js and tinyglobby, which the code loads from node_modules at their first use.
// `node esbuild.config.mjs` builds; test/support/build-bin.ts runs it before the tests.
// https://esbuild.github.io/api/#format-commonjs
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const ROOT = path.dirname(fileURLToPath(import.meta.url));
export const BIN_DIR = path.join(ROOT, "dist/bin");

/**
 * yargs and its help layout (cliui, wrap-ansi) measure text with `string-width`, whose module builds
 * Unicode property regular expressions when it is evaluated (string-width 8's `/^\p{RGI_Emoji}$/v`
 * alone ≈ 15–20 ms of CPU, ICU building the emoji string sets) — in every process, since yargs
 * imports it at start-up and caches each command's help text after the command ran. Each import of
 * it is bundled as a stand-in that answers printable ASCII itself (its width is its length: no ANSI
 * escape, control, mark, emoji or wide character) and evaluates the importer's own string-width at
 * the first other string, through esbuild's lazily initialised require(). Same widths, same help.
 * https://github.com/sindresorhus/string-width/blob/main/index.js
 */
export const lazyStringWidth = {
  name: "lazy-string-width",
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === "real") return undefined;
      const real = await build.resolve("string-width", { resolveDir: args.resolveDir, kind: args.kind, pluginData: "real" });
      if (real.errors.length > 0) return { errors: real.errors };
      // Relative, as the bundle's other module comments are (no build machine's path in dist/).
      return { path: path.relative(ROOT, real.path), namespace: "lazy-string-width" };
    });
    build.onLoad({ filter: /.*/, namespace: "lazy-string-width" }, (args) => ({
      loader: "js",
      resolveDir: path.dirname(path.resolve(ROOT, args.path)),
      contents: [
        "const PRINTABLE_ASCII = /^[\\x20-\\x7e]*$/;",
        "let width;",
        "export default function stringWidth(text, options) {",
        "  if (typeof text === \"string\" && PRINTABLE_ASCII.test(text)) return text.length;",
        `  width ??= require(${JSON.stringify(path.resolve(ROOT, args.path))}).default;`,
        "  return width(text, options);",
        "}",
      ].join("\n"),
    }));
  },
};

/**
 * yargs' ES module shim imports Node's `assert` for two checks (`notStrictEqual`, `strictEqual`), and
 * loading that module costs every process ≈ 53 M instructions (`node -e 'require("node:assert")'`
 * 567.9 M against `node -e 0`'s 514.5 M: assert pulls in its error formatting, comparisons and call
 * tracker). The shim gets a stand-in: each check passes on its own when it holds — `Object.is`, the
 * comparison Node's strictEqual makes — and otherwise calls Node's own function, which throws the
 * AssertionError it always threw. If yargs ever imports another name, the build fails (no such export).
 * https://github.com/yargs/yargs/blob/main/lib/platform-shims/esm.mjs ;
 * https://nodejs.org/api/assert.html#assertstrictequalactual-expected-message
 */
export const lazyAssert = {
  name: "lazy-assert",
  setup(build) {
    build.onResolve({ filter: /^(node:)?assert$/ }, (args) => {
      if (!/[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]/.test(args.importer)) return undefined;
      return { path: "assert", namespace: "lazy-assert" };
    });
    build.onLoad({ filter: /.*/, namespace: "lazy-assert" }, () => ({
      loader: "js",
      contents: [
        "export function strictEqual(actual, expected, message) {",
        "  if (!Object.is(actual, expected)) require(\"node:assert\").strictEqual(actual, expected, message);",
        "}",
        "export function notStrictEqual(actual, expected, message) {",
        "  if (Object.is(actual, expected)) require(\"node:assert\").notStrictEqual(actual, expected, message);",
        "}",
      ].join("\n"),
    }));
  },
};

/**
 * The `yaml` package's parser reads `process.env.LOG_TOKENS` for every token and its composer
 * `process.env.LOG_STREAM` for every document (its own debugging switches): each read is a getenv
 * through Node's environment interceptor, ≈ 350,000 of them (3.6 % of the process's instructions)
 * loading a 1,000-service scenario. The bundle reads them as unset. A yaml release that no longer
 * has exactly these reads fails the build, so the substitution cannot silently stop applying.
 * https://github.com/eemeli/yaml/blob/main/src/parse/parser.ts
 */
const YAML_DEBUG_READS = [
  { file: /[\\/]yaml[\\/]dist[\\/]parse[\\/]parser\.js$/, read: "node_process.env.LOG_TOKENS" },
  { file: /[\\/]yaml[\\/]dist[\\/]compose[\\/]composer\.js$/, read: "node_process.env.LOG_STREAM" },
];
export const yamlWithoutDebugSwitches = {
  name: "yaml-without-debug-switches",
  setup(build) {
    for (const { file, read } of YAML_DEBUG_READS) {
      build.onLoad({ filter: file }, async (args) => {
        const text = await fs.promises.readFile(args.path, "utf8");
        const parts = text.split(read);
        if (parts.length !== 2) return { errors: [{ text: `expected one \`${read}\` in ${args.path}, found ${parts.length - 1}` }] };
        return { contents: parts.join("false"), loader: "js" };
      });
    }
  },
};

/**
 * After a command's handler returns (an async handler: at its first `await`), yargs renders that
 * command's whole help text and keeps it, so that a `showHelp()` or a failure without a `.fail()`
 * callback later shows the command's help rather than the top level's. meshsim has a `.fail()`
 * callback that throws (src/cli/main.ts) and never asks for help after parsing, so the text was never
 * read; rendering it (cliui's layout of every option) cost each command ≈ 16 M instructions before the
 * handler resumed: on a sweep's serial start, before its worker threads start (docs/performance.md,
 * Goal 5, session 18). The bundle's yargs keeps nothing; `--help` renders the help as before. A yargs
 * release without exactly this statement fails the build.
 * https://github.com/yargs/yargs/blob/main/lib/usage.ts (`cacheHelpMessage`), lib/command.ts (`handleValidationAndGetResult`)
 */
const YARGS_HELP_CACHE = "cachedHelpMessage = this.help();";
export const noHelpCacheAfterCommand = {
  name: "no-help-cache-after-command",
  setup(build) {
    build.onLoad({ filter: /[\\/]yargs[\\/]build[\\/]lib[\\/]usage\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, "utf8");
      const parts = text.split(YARGS_HELP_CACHE);
      if (parts.length !== 2) return { errors: [{ text: `expected one \`${YARGS_HELP_CACHE}\` in ${args.path}, found ${parts.length - 1}` }] };
      return { contents: parts.join(""), loader: "js" };
    });
  },
};

/**
 * yargs' factory sets a default version option from a guess before any of meshsim's code runs: it walks
 * up from the working folder, listing each folder (escalade's readdirSync), until one holds a
 * package.json. meshsim then sets its own (`.version(ownVersion())` in src/cli/main.ts), which replaces
 * the guess, so the walk was work thrown away at every start: +12 M instructions from a home folder
 * with no package.json above it (the walk reaches "/" and a failed check loads node:assert), +117 M
 * (≈ 35 ms) from a /tmp of 50,000 entries (docs/performance.md, Goal 2, session 21 `fixed`). The
 * bundle's factory does not guess; the help and `--version` are unchanged. A yargs release without
 * exactly this statement fails the build.
 * https://github.com/yargs/yargs/blob/main/lib/yargs-factory.ts (`Yargs`, `kGuessVersion`)
 */
const YARGS_VERSION_GUESS = "yargs.version();";
export const noVersionGuess = {
  name: "no-version-guess",
  setup(build) {
    build.onLoad({ filter: /[\\/]yargs[\\/]build[\\/]lib[\\/]yargs-factory\.js$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, "utf8");
      const parts = text.split(YARGS_VERSION_GUESS);
      if (parts.length !== 2) return { errors: [{ text: `expected one \`${YARGS_VERSION_GUESS}\` in ${args.path}, found ${parts.length - 1}` }] };
      return { contents: parts.join(""), loader: "js" };
    });
  },
};

/**
 * yargs' ES module shim reads `process.stdout.columns` when it is evaluated, for the help's width, and
 * on a terminal or a pipe Node's first read of `process.stdout` makes a `net.Socket` (tty.WriteStream
 * is one): it loads `node:net` and sets up the stream, ≈ 13 M instructions of a 1 s run, in a run that
 * writes nothing to stdout (`--quiet`). The bundle's shim reads the width when the help asks for it
 * (yargs' usage.js `windowWidth`, the factory's `terminalWidth`), the same value at that moment. A
 * yargs release without exactly this property fails the build.
 * https://github.com/yargs/yargs/blob/main/lib/platform-shims/esm.mjs (`stdColumns`)
 */
const YARGS_STD_COLUMNS = "stdColumns: typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null";
export const lazyStdColumns = {
  name: "lazy-std-columns",
  setup(build) {
    build.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, "utf8");
      const parts = text.split(YARGS_STD_COLUMNS);
      if (parts.length !== 2) return { errors: [{ text: `expected one \`${YARGS_STD_COLUMNS}\` in ${args.path}, found ${parts.length - 1}` }] };
      return { contents: parts.join("get stdColumns() { return typeof process.stdout.columns !== 'undefined' ? process.stdout.columns : null; }"), loader: "js" };
    });
  },
};

/**
 * V8 keeps a script whose text has any character beyond ASCII as two bytes per character and scans
 * it through its UTF-16 stream, after decoding the UTF-8 file: the run command's code (≈ 1.1 MB, an ES
 * module chunk when this was measured) paid that for a few dozen µ, ≈ and → in the doc comments
 * esbuild keeps (≈ 17 M instructions of a 1 s run's 1,520 M). esbuild escapes strings and
 * identifiers already (charset "ascii", its default); this writes each non-ASCII character of a comment
 * line as `\u` and its code, and fails the build if one remains elsewhere (write it as an escape in the
 * source instead).
 * https://esbuild.github.io/api/#charset ; https://v8.dev/blog/scanner
 */
export function asciiComments(dir) {
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".js") || f.endsWith(".cjs"))) {
    const file = path.join(dir, f);
    const text = fs.readFileSync(file, "utf8");
    if (/^[\x00-\x7f]*$/.test(text)) continue;
    const lines = text.split("\n").map((line, i) => {
      if (/^[\x00-\x7f]*$/.test(line)) return line;
      if (!/^\s*(\/\/|\/\*|\*)/.test(line)) throw new Error(`esbuild.config.mjs: non-ASCII character outside a comment in ${f}:${i + 1}: ${line.trim().slice(0, 120)}`);
      return line.replace(/[^\x00-\x7f]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
    });
    fs.writeFileSync(file, lines.join("\n"));
  }
}

/**
 * The bin runs the command line as one CommonJS script, through vm.Script with V8's code cache made after
 * a command ran (src/cli/script-cache.ts; Node 20 caches no ES module's code, and Node >= 22.1's compile
 * cache only what was compiled before the module ran):
 * dist/bin/command-script.cjs (src/cli/command-script.ts: the commands and the sweep's worker, each
 * command's modules still evaluated only when it runs, by esbuild's lazy `__esm` initialisers),
 * dist/bin/script-cache.cjs, the loader, and dist/bin/command-script-entry.cjs, its entry.
 * `import.meta.url` in the script is the script's own URL, which the loader passes in (the bundle
 * finds its assets, ../../package.json and node_modules from it).
 * https://esbuild.github.io/api/#format-commonjs ;
 * https://esbuild.github.io/api/#define
 */
async function bundleCommandScript(staging) {
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [{ in: "src/cli/command-script.ts", out: "command-script" }, { in: "src/cli/script-cache.ts", out: "script-cache" }],
    outdir: staging,
    outExtension: { ".js": ".cjs" },
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    external: ["d3"],
    define: { "import.meta.url": "__meshsimScriptUrl" },
    sourcemap: "linked",
    legalComments: "linked",
    logLevel: "warning",
    plugins: [lazyStringWidth, lazyAssert, lazyStdColumns, yamlWithoutDebugSwitches, noHelpCacheAfterCommand, noVersionGuess],
  });
}

/**
 * The script's entry, dist/bin/command-script-entry.cjs, with the script's content hash: the cache's key,
 * since V8 itself checks only that a cache was made for a source of the same length
 * (SerializedCodeData::SourceHash in v8/src/snapshot/code-serializer.cc). Written after asciiComments,
 * which changes the script. CommonJS, not an ES module: a sweep's worker threads start on it
 * (src/cli/replication-threads.ts), and a worker whose entry is an ES module first sets up Node's ES
 * module loader in its own isolate, ≈ 16 M instructions a thread (docs/performance.md, Goal 5, session 22).
 */
function writeCommandScriptEntry(staging) {
  const hash = crypto.createHash("sha256").update(fs.readFileSync(path.join(staging, "command-script.cjs"))).digest("hex").slice(0, 32);
  fs.writeFileSync(path.join(staging, "command-script-entry.cjs"), [
    "// The bin's entry: the command line's script with V8's code cache (esbuild.config.mjs, src/cli/script-cache.ts).",
    '"use strict";',
    'const path = require("node:path");',
    'const { pathToFileURL } = require("node:url");',
    'const { isMainThread } = require("node:worker_threads");',
    'const { runCommandScript } = require("./script-cache.cjs");',
    `runCommandScript(pathToFileURL(path.join(__dirname, "command-script.cjs")), ${JSON.stringify(hash)}, isMainThread);`,
    "",
  ].join("\n"));
}

/**
 * Build dist/bin/ from src/ (≈ 1 s): into a folder of its own first, then moved into place, so that
 * a meshsim started meanwhile finds the old bundle or the new one, never half of one.
 */
export async function bundleCli() {
  const staging = `${BIN_DIR}.${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  await bundleCommandScript(staging);
  asciiComments(staging);
  writeCommandScriptEntry(staging);
  // src/report/html/assets.ts reads the page's stylesheet and scripts beside its own module: the script.
  fs.cpSync(path.join(ROOT, "src/report/html/client"), path.join(staging, "client"), { recursive: true });
  fs.copyFileSync(path.join(ROOT, "src/report/html/page.css"), path.join(staging, "page.css"));
  const old = `${BIN_DIR}.old.${process.pid}`;
  if (fs.existsSync(BIN_DIR)) fs.renameSync(BIN_DIR, old);
  fs.renameSync(staging, BIN_DIR);
  fs.rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundleCli();
