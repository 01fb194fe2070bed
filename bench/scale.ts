// Scale (issue 18, goal 4): the generated 10- and 1,000-service meshes (bench/mesh-generator.ts) run
// through the bin with every default report; peak RSS, and the cost per event at 1,000 services
// against 10 at equal work.
//
// The cost per event is the run's own window (from building the world to the end of its event loop,
// what run.json's wallMs spans: not the YAML, not the reports) divided by its events, in CPU time:
// the child runs with the run's clock reading the process's CPU time, so run.json's wallMs is CPU
// ms, which the machine's load inflates far less than wall time (slices of the run then aim at 50 ms
// of CPU instead of wall time, which changes no result: engine/simulator.ts). Rounds interleave the
// sizes; the median of each is reported.
//
// `node --import tsx bench/scale.ts [rounds] [bin]` runs it alone (after `node esbuild.config.mjs`);
// `bin`: another build's bin/meshsim.js (a copy of bin/ and dist/bin/), for a before/after.
// `node --import tsx bench/scale.ts split [rounds] [bin]`: the same meshes run 30 s and 270 s, so as
// to split each size's window into what does not grow with the run's length and what each event adds.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SHAPES, scenarioFile, type MeshShape } from "./mesh-generator.js";
import { BIN, measure, median } from "./whole-process.js";

export interface ScaleFigures {
  shape: MeshShape;
  services: number;
  peakRssMb: number;
  events: number;
  /** CPU ms of the run's window (world built, events run, recorder closed). */
  runCpuMs: number;
  /** CPU µs per event of that window. */
  cpuUsPerEvent: number;
  /** CPU ms of the whole process (start-up, YAML, run, reports). */
  cpuMs: number;
}

// The run's clock is process.hrtime.bigint (runner/wall-clock.ts; performance.now until session 21's
// f35e8bf, after which a CPU clock on performance.now timed nothing and the bench measured wall time).
const CPU_CLOCK = "data:text/javascript,process.hrtime.bigint=()=>{const u=process.cpuUsage();return BigInt(u.user+u.system)*1000n}";

function once(bin: string, shape: MeshShape, n: number, dir: string, duration?: string): ScaleFigures {
  const m = measure(["--import", CPU_CLOCK, bin, "run", scenarioFile(shape, n), "--quiet", "--out", dir, ...(duration === undefined ? [] : ["--duration", duration])]);
  const run = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8")) as { events: number; wallMs: number };
  return { shape, services: n, peakRssMb: m.peakRssMb, events: run.events, runCpuMs: run.wallMs, cpuUsPerEvent: (run.wallMs * 1000) / run.events, cpuMs: m.cpuMs };
}

/** Each shape and size `rounds` times, interleaved; the median of each figure. */
export function benchScale(sizes: readonly number[] = [10, 1000], rounds = 3, bin = BIN): ScaleFigures[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  const runs = new Map<string, ScaleFigures[]>();
  for (let r = 0; r < rounds; r++) {
    for (const shape of SHAPES) {
      for (const n of sizes) {
        const key = `${shape}-${n}`;
        const f = once(bin, shape, n, path.join(tmp, key));
        runs.set(key, [...(runs.get(key) ?? []), f]);
      }
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return [...runs.values()].map((fs_) => {
    const m = (pick: (f: ScaleFigures) => number) => median(fs_.map(pick));
    return { ...fs_[0]!, peakRssMb: m((f) => f.peakRssMb), runCpuMs: m((f) => f.runCpuMs), cpuUsPerEvent: m((f) => f.cpuUsPerEvent), cpuMs: m((f) => f.cpuMs) };
  });
}

/** One line per shape, as `npm run bench` prints it. */
export function scaleLines(figures: readonly ScaleFigures[]): string[] {
  return SHAPES.map((shape) => {
    const small = figures.find((x) => x.shape === shape && x.services === 10)!;
    const large = figures.find((x) => x.shape === shape && x.services === 1000)!;
    return `Generated ${shape}, 10 → 1,000 services (bench/scenarios/, every default report): peak RSS ${small.peakRssMb.toFixed(0)} → ${large.peakRssMb.toFixed(0)} MB; ` +
      `run ${small.runCpuMs.toFixed(0)} → ${large.runCpuMs.toFixed(0)} ms CPU for ${small.events.toLocaleString("en-US")} → ${large.events.toLocaleString("en-US")} events, ` +
      `${small.cpuUsPerEvent.toFixed(2)} → ${large.cpuUsPerEvent.toFixed(2)} µs CPU per event (cost per event ${(large.cpuUsPerEvent / small.cpuUsPerEvent).toFixed(1)}× the 10-service one; goal ≤ 1.5×)`;
  });
}

/**
 * The run's window as fixed + marginal × events, from runs of two lengths (each shape and size at
 * `short` and `long`, rounds interleaved, medians): `marginalUs`, the CPU µs each added event costs
 * once every proxy is in use and the JIT is warm; `fixedMs`, what does not grow with the run's length
 * (building the world, each proxy's first use, the JIT's warm-up, and the collector's work on all of
 * these). Equal work per event then compares the two sizes without first use (issue 18, goal 4).
 */
export interface ScaleSplit {
  shape: MeshShape;
  services: number;
  short: ScaleFigures;
  long: ScaleFigures;
  marginalUs: number;
  fixedMs: number;
}

export function benchScaleSplit(rounds = 3, bin = BIN, short = "30s", long = "270s"): ScaleSplit[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  const runs = new Map<string, ScaleFigures[]>();
  for (let r = 0; r < rounds; r++) {
    for (const shape of SHAPES) {
      for (const n of [10, 1000]) {
        for (const d of [short, long]) {
          const key = `${shape}-${n}-${d}`;
          runs.set(key, [...(runs.get(key) ?? []), once(bin, shape, n, path.join(tmp, key), d)]);
        }
      }
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const med = (key: string): ScaleFigures => {
    const fs_ = runs.get(key)!;
    return { ...fs_[0]!, runCpuMs: median(fs_.map((f) => f.runCpuMs)), cpuUsPerEvent: median(fs_.map((f) => f.cpuUsPerEvent)) };
  };
  return SHAPES.flatMap((shape) => [10, 1000].map((n) => splitOf(med(`${shape}-${n}-${short}`), med(`${shape}-${n}-${long}`))));
}

/** The line through a short and a long run of one mesh: CPU ms = fixedMs + marginalUs × events / 1000. */
export function splitOf(short: ScaleFigures, long: ScaleFigures): ScaleSplit {
  const marginalUs = ((long.runCpuMs - short.runCpuMs) * 1000) / (long.events - short.events);
  return { shape: short.shape, services: short.services, short, long, marginalUs, fixedMs: short.runCpuMs - (marginalUs * short.events) / 1000 };
}

/** One line per shape: the 1,000-service excess per event at the short length, split into fixed and marginal. */
export function splitLines(split: readonly ScaleSplit[]): string[] {
  return SHAPES.map((shape) => {
    const s = split.find((x) => x.shape === shape && x.services === 10)!;
    const l = split.find((x) => x.shape === shape && x.services === 1000)!;
    const fixedUs = (x: ScaleSplit) => (x.fixedMs * 1000) / x.short.events;
    const excess = l.short.cpuUsPerEvent - s.short.cpuUsPerEvent;
    const fromFixed = fixedUs(l) - fixedUs(s);
    return `Generated ${shape}, 10 → 1,000 services: at ${s.short.events.toLocaleString("en-US")} → ${l.short.events.toLocaleString("en-US")} events ` +
      `${s.short.cpuUsPerEvent.toFixed(2)} → ${l.short.cpuUsPerEvent.toFixed(2)} µs CPU per event (${(l.short.cpuUsPerEvent / s.short.cpuUsPerEvent).toFixed(1)}×); ` +
      `fixed ${s.fixedMs.toFixed(0)} → ${l.fixedMs.toFixed(0)} ms, marginal ${s.marginalUs.toFixed(2)} → ${l.marginalUs.toFixed(2)} µs per event (${(l.marginalUs / s.marginalUs).toFixed(1)}×); ` +
      `of the ${excess.toFixed(2)} µs excess per event, ${fromFixed.toFixed(2)} (${((100 * fromFixed) / excess).toFixed(0)} %) is fixed work, ${(excess - fromFixed).toFixed(2)} marginal`;
  });
}

if (process.argv[2] === "split" && process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  // `node --import tsx bench/scale.ts split [rounds] [bin]`
  const rounds = process.argv[3] === undefined ? 3 : Number(process.argv[3]);
  const [l1, l5, l15] = os.loadavg();
  console.log(`load average ${l1!.toFixed(1)} ${l5!.toFixed(1)} ${l15!.toFixed(1)} on ${os.cpus().length} cores; median of ${rounds} interleaved rounds, 30 s and 270 s runs`);
  const bin = process.argv[4] === undefined ? BIN : path.resolve(process.argv[4]);
  for (const line of splitLines(benchScaleSplit(rounds, bin))) console.log(line);
} else if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const rounds = process.argv[2] === undefined ? 3 : Number(process.argv[2]);
  const [l1, l5, l15] = os.loadavg();
  console.log(`load average ${l1!.toFixed(1)} ${l5!.toFixed(1)} ${l15!.toFixed(1)} on ${os.cpus().length} cores; median of ${rounds} interleaved rounds`);
  const bin = process.argv[3] === undefined ? BIN : path.resolve(process.argv[3]);
  for (const line of scaleLines(benchScale([10, 1000], rounds, bin))) console.log(line);
}
