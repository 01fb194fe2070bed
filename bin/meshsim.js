#!/usr/bin/env node
// meshsim's command: the compiled command line in dist/bin/ (built from src/ by esbuild.config.mjs when
// `npm ci` or `npm install` runs `prepare`, or by `npm run build`). No TypeScript loader at run time;
// `npm run dev -- <args>` runs the sources instead.
// `--version` alone is answered here, before the bundle (≈ 0.1 s of module evaluation) is loaded, so
// that it costs about what Node's own start costs; it prints this package's version wherever it runs.
import fs from "node:fs";

// V8 flags the bin sets before the bundle is compiled (below); each is `--name=value`.
const INLINING_FLAGS = ["--max-inlined-bytecode-size-cumulative=1840"];

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === "--version") {
  const pkg = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const entry = new URL("../dist/bin/command-script-entry.cjs", import.meta.url);
  if (!fs.existsSync(entry)) {
    process.stderr.write("meshsim: internal error: dist/bin/command-script-entry.cjs is missing; build it with `npm run build` (or run the sources with `npm run dev -- <args>`)\n");
    process.exit(3);
  }
  // V8's inlining budget, raised before any of meshsim's code is compiled: TurboFan inlines callees into
  // an optimized function until their bytecode adds up to this (920 by default; v8
  // src/compiler/js-inlining-heuristic.cc), and the request path spent it before its end
  // (docs/performance.md, Goal 2, session 30 `flags17`). V8's flags are process-wide, so a sweep's worker
  // threads compile with it too; the code cache is keyed by V8's flag hash (src/cli/script-cache.ts).
  // A flag the user gave node on its command line wins: it is not set again here (NODE_OPTIONS refuses
  // V8 flags outside a short list, which has none of these: https://nodejs.org/api/cli.html#node_optionsoptions).
  const given = new Set(process.execArgv.map((a) => a.replace(/_/g, "-").replace(/=.*/s, "")));
  const set = INLINING_FLAGS.filter((f) => !given.has(f.slice(0, f.indexOf("="))));
  if (set.length > 0) (await import("node:v8")).setFlagsFromString(set.join(" "));
  if (process.env.MESHSIM_DEBUG) process.stderr.write(`meshsim: V8 flags set: ${set.join(" ") || "none"}\n`);
  // The command line as one script run with V8's code cache, made after a command ran, on every Node
  // version: fewer instructions than the ES module bundle with Node >= 22.1's own compile cache, which
  // holds only what was compiled before the bundle ran (src/cli/script-cache.ts; docs/performance.md,
  // session 21). Its entry is CommonJS, which a sweep's worker threads start on too (session 22).
  const { createRequire } = await import("node:module");
  createRequire(import.meta.url)("../dist/bin/command-script-entry.cjs");
}
