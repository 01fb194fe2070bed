// vitest's global setup: bundle src/ into dist/bin/ (esbuild.config.mjs, ≈ 1 s) before any test
// spawns bin/meshsim.js, so that the end-to-end tests run the code of this checkout, never a bundle
// left from an older build.
import { spawnSync } from "node:child_process";
import path from "node:path";

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, "../..");
  const r = spawnSync(process.execPath, ["esbuild.config.mjs"], { cwd: root, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`bundling the CLI failed:\n${r.stderr}`);
}
