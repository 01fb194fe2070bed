// re2js, loaded the first time a pattern is compiled rather than when the process starts: it is
// ≈ 270 KB of JavaScript (a fifth of the run command's bundle), which V8 scans and evaluates at
// every start although most scenarios have no regex at all (`node -e 'import("re2js")'`: ≈ 74 M
// instructions above `node -e 0`'s 514 M). A synchronous require of its CommonJS build (the same
// code as its ES module: https://github.com/le0pard/re2js/blob/main/package.json, "exports") keeps
// every caller synchronous; the bundle leaves it to Node's resolution from node_modules, where
// re2js is installed as a runtime dependency (esbuild bundles only the free `require`).
import { createRequire } from "node:module";
import type { RE2JS } from "re2js";

let loaded: typeof RE2JS | null = null;

/** re2js's RE2JS class (compile, flags), loaded at the first call. */
export function re2js(): typeof RE2JS {
  if (loaded === null) {
    const lib: typeof import("re2js") = createRequire(import.meta.url)("re2js");
    loaded = lib.RE2JS;
  }
  return loaded;
}
