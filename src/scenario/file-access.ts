// Which files a scenario may read (its includes and timeline `apply.file`s): regular files of at most
// `maxBytes`, and include globs only under the Simulation's folder unless the user allows more. A
// scenario must not make meshsim read /dev/zero, walk the whole file system with a glob, or parse a
// file too large for memory (a 50 MB YAML file costs about 2 GB to parse). A file named explicitly
// may live elsewhere (Istio's sample files where Istio is checked out, as the acceptance tests and
// users include them): naming one file cannot walk or stream anything.
import { realpathSync, statSync } from "node:fs";
import { isAbsolute, relative, sep } from "node:path";

export interface FileAccess {
  /** The folder files must be under (the Simulation file's folder). */
  readonly root: string;
  /** `--allow-outside-includes`: include globs may match outside the root. */
  readonly allowOutside: boolean;
  /** `--max-file-size`: the largest file read, in bytes. */
  readonly maxBytes: number;
}

export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 ** 2;

function realOrSelf(p: string): string {
  try { return realpathSync(p); } catch { return p; }
}

/** Whether `file` (symbolic links followed) is under `root`. */
export function inside(root: string, file: string): boolean {
  const rel = relative(realOrSelf(root), realOrSelf(file));
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** Whether a glob pattern may reach outside the root (absolute, or climbing with `..`). */
export function patternLeavesRoot(pattern: string): boolean {
  return isAbsolute(pattern) || pattern.split(/[\\/]/).includes("..");
}

/** Why `file` may not be read, or undefined when it may (a missing file is the reader's to report). */
export function refusal(file: string, access: FileAccess): string | undefined {
  let st;
  try { st = statSync(file); } catch { return undefined; }
  if (st.isDirectory()) return undefined;
  if (!st.isFile()) return "not a regular file";
  if (st.size > access.maxBytes) {
    return `${(st.size / 1024 ** 2).toFixed(1)} MiB, over the limit of ${(access.maxBytes / 1024 ** 2).toFixed(1)} MiB (--max-file-size raises it)`;
  }
  return undefined;
}
