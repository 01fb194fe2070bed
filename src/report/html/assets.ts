// The files a self-contained page inlines: d3's browser bundle from node_modules and the page's own
// stylesheet and scripts, read once per process. The client scripts are plain browser JavaScript
// (src/report/html/client/), concatenated in the order given.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const cache = new Map<string, string>();

function read(file: string): string {
  let s = cache.get(file);
  if (s === undefined) {
    s = fs.readFileSync(file, "utf8");
    cache.set(file, s);
  }
  return s;
}

/** d3 v7's minified UMD bundle (defines the global `d3`). */
export function d3Source(): string {
  // d3's "exports" map hides dist/ paths; its entry point lives in dist/ beside the UMD bundle.
  return read(path.join(path.dirname(require.resolve("d3")), "d3.min.js"));
}

/** A file beside this module (page.css, client/*.js). */
export function asset(name: string): string {
  return read(fileURLToPath(new URL(name, import.meta.url)));
}

export const CLIENT_SCRIPTS = ["client/common.js", "client/latency.js", "client/timeseries.js", "client/cpu.js", "client/topology.js", "client/main.js"] as const;

export function clientSource(names: readonly string[] = CLIENT_SCRIPTS): string {
  return names.map((n) => asset(n)).join("\n");
}
