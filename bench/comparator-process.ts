// The bench's M/M/c comparators as whole processes, as issue 18 measured them ("whole processes, same
// N, interleaved"): `node <bundle> minimal|simjs c utilisation requests seed` runs one comparator and
// prints its result as JSON. The bench bundles this file with esbuild into node_modules/.cache (plain
// JavaScript: the child pays Node's start and nothing else, no TypeScript loader; from inside
// node_modules, simjs resolves as it does from bench/).
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runMinimalMMc } from "./minimal-loop.js";
import { runSimjsMMc } from "./simjs-mmc.js";

export type Comparator = "minimal" | "simjs";

/** Bundles this entry (once per bench run) and returns the script's path. esbuild is required here,
 *  not imported at the top, so that the bundle does not load it. */
export function bundleComparators(root: string): string {
  const { buildSync } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  const outfile = path.join(root, "node_modules/.cache/meshsim-bench/comparator-process.mjs");
  buildSync({
    entryPoints: [fileURLToPath(import.meta.url)], bundle: true, platform: "node", format: "esm",
    outfile, logLevel: "warning", external: ["esbuild", "simjs"],
  });
  return outfile;
}

function main(argv: readonly string[]): void {
  const [which, c, utilisation, requests, seed] = argv;
  if (which !== "minimal" && which !== "simjs") throw new Error(`comparator-process: minimal or simjs, not ${which}`);
  const o = { c: Number(c), utilisation: Number(utilisation), requests: Number(requests), seed: Number(seed) };
  const r = which === "minimal" ? runMinimalMMc(o) : runSimjsMMc(o);
  fs.writeSync(1, `${JSON.stringify({ requests: r.requests, meanResponse: r.meanResponse })}\n`);
}

// Run as the bundle's entry only (the bench imports this module for bundleComparators).
if (process.argv[1] !== undefined && /comparator-process\.mjs$/.test(process.argv[1])) main(process.argv.slice(2));
