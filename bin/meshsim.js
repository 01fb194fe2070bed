#!/usr/bin/env node
// meshsim's command: the compiled bundle dist/bin/meshsim.js (built from src/ by esbuild.config.mjs when
// `npm ci` or `npm install` runs `prepare`, or by `npm run build`). No TypeScript loader at run time;
// `npm run dev -- <args>` runs the sources instead.
// `--version` alone is answered here, before the bundle (≈ 0.1 s of module evaluation) is loaded, so
// that it costs about what Node's own start costs; it prints this package's version wherever it runs.
import fs from "node:fs";
import module from "node:module";

const argv = process.argv.slice(2);
if (argv.length === 1 && argv[0] === "--version") {
  const pkg = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`${pkg.version}\n`);
} else {
  const bundle = new URL("../dist/bin/meshsim.js", import.meta.url);
  if (!fs.existsSync(bundle)) {
    process.stderr.write("meshsim: internal error: dist/bin/meshsim.js is missing; build it with `npm run build` (or run the sources with `npm run dev -- <args>`)\n");
    process.exit(3);
  }
  if (module.enableCompileCache === undefined) {
    // Node 20 keeps no ES module's compiled code between runs: the same commands as one script, run
    // with V8's code cache (src/cli/script-cache.ts; docs/performance.md, session 21).
    await import(new URL("../dist/bin/command-script.js", import.meta.url).href);
  } else {
    // Node ≥ 22.1 keeps the bundle's compiled code in its on-disk cache between runs.
    // https://nodejs.org/api/module.html#moduleenablecompilecachecachedir
    const cache = module.enableCompileCache();
    // A sweep's worker threads find the cache only through the environment variable (each copies
    // process.env when it starts): https://nodejs.org/api/cli.html#node_compile_cachedir
    if (cache.status === module.constants.compileCacheStatus.ENABLED) {
      process.env.NODE_COMPILE_CACHE = cache.directory;
    }
    await import(bundle.href);
  }
}
