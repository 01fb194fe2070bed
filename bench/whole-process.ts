// Running meshsim as a user does — `node bin/meshsim.js ...`, the package's bin — for the bench's
// whole-process figures: wall time, and (through a preloaded exit hook) the child's own CPU time and
// peak resident memory, which a busy machine inflates less than wall time.
import { spawnSync } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "..");
export const BIN = path.join(ROOT, "bin/meshsim.js");

/** Prints the process's CPU time (µs) and peak RSS (KB) as its last line on standard error. */
const EXIT_HOOK = `data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("\\nmeshsim-bench "+JSON.stringify({cpuUs:u.userCPUTime+u.systemCPUTime,maxRssKb:u.maxRSS})+"\\n")})`;

export interface ProcessFigures {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment without NODE_EXTRA_CA_CERTS, or null when it is not set. Node 20 reads that file into
 * OpenSSL's store when the process starts, whether or not TLS is ever used (≈ 415 M instructions for
 * Debian's 140-certificate bundle, measured by callgrind on `node -e 0`: 504 M with it, 87 M without;
 * https://github.com/nodejs/node/issues/40524); Node 22 and 24 load it when TLS first needs it. A
 * machine that sets it (as CI images often do) adds that to every whole process the bench measures.
 */
export function envWithoutExtraCaCerts(): NodeJS.ProcessEnv | null {
  if (process.env["NODE_EXTRA_CA_CERTS"] === undefined) return null;
  const env = { ...process.env };
  delete env["NODE_EXTRA_CA_CERTS"];
  return env;
}

/** Run `node args...` from the project's root and measure it (`env`: the child's, else this process's). */
export function measure(args: readonly string[], opts: { hook?: boolean; env?: NodeJS.ProcessEnv } = {}): ProcessFigures {
  const hook = opts.hook ?? true;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...(hook ? ["--import", EXIT_HOOK] : []), ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28, env: opts.env ?? process.env });
  const wallMs = performance.now() - t0;
  const m = /^meshsim-bench (\{.*\})$/m.exec(r.stderr);
  const figures = m === null ? { cpuUs: Number.NaN, maxRssKb: Number.NaN } : (JSON.parse(m[1]!) as { cpuUs: number; maxRssKb: number });
  if (r.status !== 0 && r.status !== 1) throw new Error(`node ${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
  return { wallMs, cpuMs: figures.cpuUs / 1000, peakRssMb: figures.maxRssKb / 1024, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
