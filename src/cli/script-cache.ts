// Runs the command line's script (cli/command-script.ts, bundled as CommonJS by esbuild.config.mjs) through
// vm.Script with V8's code cache. Node 20 caches no ES module's code between processes, and Node >= 22.1's
// compile cache keeps only what V8 compiled before the module ran (CompileCacheHandler::MaybeSave, called
// right after CompileModule: nodejs/node src/compile_cache.cc, src/module_wrap.cc), so every process
// compiled each function at its first call.
// The cache is made when the process exits, after the command ran, so it holds the functions compiled
// lazily too (https://nodejs.org/api/vm.html#scriptcreatecacheddata), one per command. It lives in
// os.tmpdir(), as Node's own compile cache does, so that a read-only install still gets one; any failure
// to read or write it only costs the time it would have saved. docs/performance.md, session 21.
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import vm from "node:vm";
import zlib from "node:zlib";

/** What became of the cache for this process. */
export type CacheOutcome =
  | "accepted" // V8 used it
  | "rejected" // V8 refused it (another V8 or other V8 flags): rewritten at exit
  | "corrupt" // its checksum or header did not match: not given to V8, rewritten at exit
  | "absent" // none yet: written at exit
  | "off"; // no cache folder

export interface ScriptCacheOptions {
  /** The script's file: its code, in ASCII (esbuild.config.mjs checks). */
  readonly script: string;
  /** The script's content hash, from the build: V8 itself compares only the source's length. */
  readonly hash: string;
  /** The cache folder, made if missing; undefined: no cache. */
  readonly dir: string | undefined;
  /** Which cache: each command compiles its own set of functions. */
  readonly name: string;
  /**
   * Another command's cache to run with while this one's is absent (this one is still written at exit):
   * a sweep's replications compile what `run` compiles, so the first sweep after a run, and its worker
   * threads, need not compile the simulation lazily.
   */
  readonly fallback?: string | undefined;
  /** Write the cache at exit when it was not accepted (the main thread; a worker only reads it). */
  readonly write: boolean;
}

export interface ScriptRun {
  readonly outcome: CacheOutcome;
  /** The cache file this process read (its own, or the fallback's when its own was absent) or would write. */
  readonly file: string | undefined;
  /** The script's module.exports. */
  readonly exports: unknown;
  /** Writes the cache from what the script compiled so far, unless V8 accepted it or there is no folder. */
  readonly save: () => void;
}

/** A cache file: this magic, the payload's CRC-32 (little-endian), then V8's cached data. */
const MAGIC = Buffer.from("meshsim-v8-cache-1\n", "latin1");
const HEADER = MAGIC.length + 4;

/**
 * The cache folder: $MESHSIM_CODE_CACHE if set (empty: no cache), else a folder of this user's in
 * os.tmpdir() (Node's compile cache defaults to os.tmpdir() too:
 * https://nodejs.org/api/module.html#moduleenablecompilecachecachedir).
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env["MESHSIM_CODE_CACHE"];
  if (set !== undefined) return set === "" ? undefined : path.resolve(set);
  return path.join(os.tmpdir(), `meshsim-code-cache-${process.getuid?.() ?? "user"}`);
}

/** The cache file of a script: its content hash, the Node (and so V8) version and the platform, and the command. */
export function cacheFileOf(o: Pick<ScriptCacheOptions, "hash" | "dir" | "name">): string | undefined {
  if (o.dir === undefined) return undefined;
  return path.join(o.dir, `${o.hash}-${process.version}-${process.arch}-${o.name}.v8cache`);
}

/** The cached data in a cache file, or why there is none. Only a folder of this user's is read: a cache is code. */
function readCache(file: string, dir: string): Buffer | "absent" | "corrupt" {
  let bytes: Buffer;
  try {
    const owner = fs.statSync(dir).uid;
    if (process.getuid !== undefined && owner !== process.getuid()) return "absent";
    bytes = fs.readFileSync(file);
  } catch {
    return "absent";
  }
  if (bytes.length <= HEADER || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return "corrupt";
  const data = bytes.subarray(HEADER);
  // V8 checks the cache's own header (its version, flags, the source's length, the payload's length) but,
  // in a release build, not its payload's checksum (flag verify_snapshot_checksum, on in debug builds
  // only: v8/src/flags/flag-definitions.h; SerializedCodeData::SanityCheck in
  // v8/src/snapshot/code-serializer.cc), so a damaged file would run damaged code. Node's compile cache
  // checks one too (src/compile_cache.cc, CompileCacheHandler::MaybeGetCacheEntry).
  if (bytes.readUInt32LE(MAGIC.length) !== zlib.crc32(data)) return "corrupt";
  return data;
}

/** Writes the cache through a file of this process's, renamed into place: a reader never sees half of it. */
function writeCache(file: string, dir: string, data: Buffer): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const header = Buffer.alloc(HEADER);
    MAGIC.copy(header);
    header.writeUInt32LE(zlib.crc32(data), MAGIC.length);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([header, data]), { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch {
    // A read-only or full folder: the next process compiles as this one did.
  }
}

/**
 * Compiles the script as CommonJS's wrapper would (exports, require, module, __filename, __dirname) plus
 * the URL that stands for `import.meta.url` in the bundle, with the cache if there is one, and runs it.
 */
export function runCachedScript(o: ScriptCacheOptions): ScriptRun {
  const own = cacheFileOf(o);
  const ownRead = own === undefined || o.dir === undefined ? "off" : readCache(own, o.dir);
  // The fallback only stands in for an absent cache: a corrupt or rejected one of its own is rewritten
  // from a cold compile, as without a fallback.
  const other = ownRead === "absent" && o.fallback !== undefined ? cacheFileOf({ ...o, name: o.fallback }) : undefined;
  const otherRead = other === undefined || o.dir === undefined ? undefined : readCache(other, o.dir);
  const useOther = typeof otherRead === "object";
  const file = useOther ? other : own;
  const read = useOther ? otherRead : ownRead;
  // The build keeps the script ASCII, so latin1 reads it without UTF-8 decoding, as the same string.
  const code = fs.readFileSync(o.script, "latin1");
  const source = `(function (exports, require, module, __filename, __dirname, __meshsimScriptUrl) {${code}\n})`;
  const script = new vm.Script(source, { filename: o.script, ...(typeof read === "object" ? { cachedData: read } : {}) });
  const outcome: CacheOutcome = typeof read === "object" ? (script.cachedDataRejected === true ? "rejected" : "accepted") : read;
  const dir = o.dir;
  // This command's own cache is written unless V8 accepted it (a fallback's acceptance does not count:
  // the script's functions compiled so far, deserialized or lazily, then make this command's cache).
  const ownAccepted = outcome === "accepted" && file === own;
  const save = (): void => {
    if (own !== undefined && dir !== undefined && !ownAccepted) writeCache(own, dir, script.createCachedData());
  };
  // At exit, after the command ran: the cache then holds every function it compiled. Not after a
  // failure (exit 2 or 3: bad input stops before the simulation), which would leave a cache without it.
  if (o.write) process.once("exit", (code) => (code === 0 || code === 1 ? save() : undefined));
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {} as unknown };
  wrapper(module.exports, createRequire(o.script), module, o.script, path.dirname(o.script), pathToFileURL(o.script).href);
  return { outcome, file, exports: module.exports, save };
}

/** meshsim's commands (cli/main.ts), each with a cache of its own; anything else shares one. */
const HELP = new Set(["--help", "-h", "--version", "-V"]);
const COMMANDS = new Set(["run", "sweep", "merge", "check", "analyze", "proxy-config", "pc", "ztunnel-config", "zc", "explain", "report", "compare-modes"]);

/**
 * The bin's entry (dist/bin/command-script-entry.cjs, written by esbuild.config.mjs with the script's
 * hash): the command's cache on the main thread; a sweep's worker thread (cli/replication-threads.ts
 * starts it on this same entry) reads the sweep's cache, which its main thread wrote after running
 * replications itself.
 */
export function runCommandScript(script: URL, hash: string, mainThread: boolean): ScriptRun {
  const args = process.argv.slice(2);
  const command = mainThread ? (args[0] ?? "") : "sweep";
  // `run --help` runs none of `run`'s code: its cache would hold yargs alone.
  const named = COMMANDS.has(command) && !args.some((a) => HELP.has(a));
  const name = named ? command : "other";
  // `run` and `sweep` run the same simulation: each runs with the other's cache until it has its own.
  const fallback = name === "sweep" ? "run" : name === "run" ? "sweep" : undefined;
  const run = runCachedScript({ script: fileURLToPath(script), hash, dir: defaultCacheDir(), name, fallback, write: mainThread });
  // What each thread did with the cache, for a user who wonders (and for test/cli/bin-code-cache.test.ts).
  if (process.env["MESHSIM_DEBUG"]) process.stderr.write(`meshsim: code cache ${run.outcome}${mainThread ? "" : " (worker)"}: ${run.file ?? "none"}\n`);
  return run;
}
