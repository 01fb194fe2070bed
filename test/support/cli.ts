// The meshsim command as a user runs it, for end-to-end tests: a child process from the project's
// root, with its exit code and both output streams.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const BIN = path.join(ROOT, "bin/meshsim.js");

export function meshsim(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  // summary.json of a 2,000-pod mesh (with each pod's containers) is over spawnSync's 1 MiB default.
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 2 ** 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary folder (an --out target). */
export function tmpDir(prefix = "meshsim-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
