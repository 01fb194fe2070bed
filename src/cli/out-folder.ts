// `--out`: checked (and made) before anything is simulated, so a bad folder is an input error at
// once (exit 2), never an internal error after a long run. Files of an earlier run in a reused folder
// are removed once the new run goes ahead, so a folder never mixes two runs' files.
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "./exit.js";

/** The files `meshsim run` writes (report/write-reports.ts, report/streamed-file.ts, report/fortio.ts). */
const RUN_FILES = [
  "summary.json", "report.md", "report.html", "histograms.json", "metrics.prom", "run.json", "access.log", "traces.json",
];

// Kernel file systems look writable but are not folders for reports (writing to /proc can hang).
const KERNEL_ROOTS = ["/proc", "/sys", "/dev"];

function under(p: string, root: string): boolean {
  return p === root || p.startsWith(`${root}${path.sep}`);
}

/** The real path of `p`, or of its nearest existing parent joined with the rest. */
function realish(p: string): string {
  let head = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...rest);
    } catch {
      const parent = path.dirname(head);
      if (parent === head) return path.join(head, ...rest);
      rest.unshift(path.basename(head));
      head = parent;
    }
  }
}

/** Makes sure `dir` is (or can be made) a writable folder; throws UsageError (exit 2) otherwise. */
export function prepareOutFolder(dir: unknown, flag = "--out"): asserts dir is string {
  if (typeof dir !== "string") throw new UsageError(`${flag}: give one folder (got ${JSON.stringify(dir)})`);
  if (dir.trim() === "") throw new UsageError(`${flag}: empty folder name`);
  const real = realish(dir);
  if (process.platform !== "win32" && KERNEL_ROOTS.some((r) => under(real, r))) {
    throw new UsageError(`${flag} ${dir}: ${real} is on a kernel file system, not a folder for reports`);
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "EEXIST" || code === "ENOTDIR" ? "a file is in the way (it or one of its parents is not a folder)"
      : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EROFS" ? "read-only file system" : (e as Error).message;
    throw new UsageError(`${flag} ${dir}: cannot make the folder: ${why}`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new UsageError(`${flag} ${dir}: exists and is not a folder`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    const probe = path.join(dir, `.meshsim-${process.pid}`);
    fs.writeFileSync(probe, "");
    // unlink, not rm: the file was just made, and rm's checks and its module are a cost every run paid.
    fs.unlinkSync(probe);
  } catch (e) {
    throw new UsageError(`${flag} ${dir}: cannot write there: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * Removes an earlier run's files from `dir` (once the new run is known to go ahead). One listing of
 * the folder, then a removal per file found: a new folder (each sweep replication's) costs one
 * system call instead of eight `rm` attempts (docs/performance.md, Goal 2, session 21).
 */
export function clearRunFiles(dir: string): void {
  const present = new Set(fs.readdirSync(dir));
  for (const f of RUN_FILES) if (present.has(f)) fs.rmSync(path.join(dir, f), { force: true });
}
