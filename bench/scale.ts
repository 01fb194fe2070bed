// Scale (issue 18, goal 4): the generated 10- and 1,000-service meshes (bench/mesh-generator.ts) run
// through the bin with every default report; peak RSS, and the cost per event at 1,000 services
// against 10, two ways:
// - the window: the run's own window (from building the world to the end of its event loop, what
//   run.json's wallMs spans: not the YAML, not the reports) at the meshes' 30 s, over its events. At
//   1,000 services that window is mostly start-up: each proxy's first request builds and first-uses
//   its state, and the JIT compiles what 1,000 proxies make hot (docs/performance.md, Goal 4);
// - the marginal cost: what each further event costs once every proxy is in use, the difference of
//   two run lengths over the difference of their events (the 1,000-service meshes at 90 s and 270 s, the
//   10-service ones at the lengths that give them the same events: MARGINAL_SPANS), which is what a long
//   run pays per event, and what "at equal work" means for the goal.
// Both in CPU time: the child runs with the run's clock reading the process's CPU time, so run.json's
// wallMs is CPU ms, which the machine's load inflates far less than wall time (slices of the run then
// aim at 50 ms of CPU instead of wall time, which changes no result: engine/simulator.ts). The child
// runs the bin as users do, with its code cache (cli/script-cache.ts; the first run after a build writes
// it). Rounds interleave the sizes; the median of each is reported, but the marginal cost is taken from
// each length's least CPU time over more rounds (marginalOf).
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

/**
 * The marginal cost's two run lengths, per shape and size (`--duration`): the 1,000-service meshes at
 * 90 s and 3× that; the 10-service ones where they have as many events (within 0.1 %: chain 281,305 and
 * 742,051 events against 281,294 and 741,831; fan-out 265,645 and 728,181 against 266,078 and 728,232,
 * with the meshes of bench/scenarios/), so that both sizes run the same events and their collectors see
 * heaps of the same age. Not from the bench's 30 s: the chain-1000's first mark-compact (of what its
 * proxies' first use promoted) ends after its 30 s window and before 90 s, one collection that a
 * difference from 30 s counts as a cost per event (docs/performance.md, Goal 4, session 23); from 90 s
 * on, every mesh's window holds one mark-compact, whatever its length.
 */
export const MARGINAL_SPANS: Readonly<Record<MeshShape, Readonly<Record<10 | 1000, readonly [string, string]>>>> = {
  chain: { 10: ["90.7s", "239.64s"], 1000: ["90s", "270s"] },
  fanout: { 10: ["77.6s", "211.9s"], 1000: ["90s", "270s"] },
};

/** One mesh's figures: its 30 s window, and the marginal cost between the two lengths of MARGINAL_SPANS. */
export interface ScaleRow extends ScaleFigures {
  /**
   * The short and long runs of the marginal cost (medians), the CPU µs per event between them
   * (`marginalOf` the rounds' runs), and the least and greatest of the rounds' own differences.
   */
  marginal: { short: ScaleFigures; long: ScaleFigures; marginalUs: number; spreadUs: readonly [number, number]; load: readonly [number, number] };
}

/**
 * Rounds of the marginal cost's two runs, and of the 30 s window. The marginal is a difference of two
 * windows each ≈ 1–4 s of CPU, so a run slowed by 10 % moves it by 20–40 %: it gets more rounds than
 * the window, within the bench's budget (≈ 20 s of CPU a round for both shapes and sizes).
 */
export const MARGINAL_ROUNDS = 5;
export const WINDOW_ROUNDS = 3;

/**
 * The CPU µs each further event costs, from rounds of a short and a long run of one mesh: the least
 * CPU time of each length, their difference over the difference of their events. The machine's load
 * only ever adds CPU time to a run (other processes evict its caches and share its cores: the
 * 1,000-service meshes miss the last-level cache 15 times per event even alone, docs/performance.md,
 * Goal 4, session 24), so the least of each length is the nearest to an unloaded machine; the median of
 * the rounds' own differences (until session 25) kept the noise of both runs of a round and moved
 * twofold between sittings. Each length's events are the same in every round (the run is deterministic).
 */
export function marginalOf(shorts: readonly ScaleFigures[], longs: readonly ScaleFigures[]): number {
  const least = (xs: readonly ScaleFigures[]) => xs.reduce((a, b) => (b.runCpuMs < a.runCpuMs ? b : a));
  return splitOf(least(shorts), least(longs)).marginalUs;
}

/** Each shape and size, rounds interleaved; the median of each figure, the marginal cost by `marginalOf`. */
export function benchScale(sizes: readonly (10 | 1000)[] = [10, 1000], rounds = MARGINAL_ROUNDS, bin = BIN, windowRounds = Math.min(rounds, WINDOW_ROUNDS)): ScaleRow[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  const runs = new Map<string, ScaleFigures[]>();
  const add = (key: string, f: ScaleFigures): ScaleFigures => {
    runs.set(key, [...(runs.get(key) ?? []), f]);
    return f;
  };
  const differences = new Map<string, number[]>();
  // The 1-minute load average before each run of the marginal cost: the 1,000-service meshes' figure
  // rises with the machine's load (their caches shared: ≈ 2.7 µs at load 1–2, ≈ 3.4 at 24–31,
  // docs/performance.md, Goal 4, session 25), the 10-service ones' hardly.
  const loads: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const shape of SHAPES) {
      for (const n of sizes) {
        const key = `${shape}-${n}`;
        if (r < windowRounds) add(key, once(bin, shape, n, path.join(tmp, key)));
        const [short, long] = MARGINAL_SPANS[shape][n];
        loads.push(os.loadavg()[0]!);
        const s = add(`${key}-short`, once(bin, shape, n, path.join(tmp, `${key}-short`), short));
        const l = add(`${key}-long`, once(bin, shape, n, path.join(tmp, `${key}-long`), long));
        differences.set(key, [...(differences.get(key) ?? []), splitOf(s, l).marginalUs]);
      }
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const med = (key: string): ScaleFigures => {
    const fs_ = runs.get(key)!;
    const m = (pick: (f: ScaleFigures) => number) => median(fs_.map(pick));
    return { ...fs_[0]!, peakRssMb: m((f) => f.peakRssMb), runCpuMs: m((f) => f.runCpuMs), cpuUsPerEvent: m((f) => f.cpuUsPerEvent), cpuMs: m((f) => f.cpuMs) };
  };
  return SHAPES.flatMap((shape) =>
    sizes.map((n) => {
      const key = `${shape}-${n}`;
      const d = differences.get(key)!;
      return {
        ...med(key),
        marginal: { short: med(`${key}-short`), long: med(`${key}-long`), marginalUs: marginalOf(runs.get(`${key}-short`)!, runs.get(`${key}-long`)!), spreadUs: [Math.min(...d), Math.max(...d)] as const, load: [Math.min(...loads), Math.max(...loads)] as const },
      };
    }),
  );
}

/** Two lines per shape, as `npm run bench` prints them: the window's cost per event, then the marginal cost. */
export function scaleLines(figures: readonly ScaleRow[]): string[] {
  return SHAPES.flatMap((shape) => {
    const small = figures.find((x) => x.shape === shape && x.services === 10)!;
    const large = figures.find((x) => x.shape === shape && x.services === 1000)!;
    const ev = (x: ScaleFigures) => x.events.toLocaleString("en-US");
    const sm = small.marginal;
    const lm = large.marginal;
    return [
      `Generated ${shape}, 10 → 1,000 services (bench/scenarios/, every default report): peak RSS ${small.peakRssMb.toFixed(0)} → ${large.peakRssMb.toFixed(0)} MB; ` +
        `window (30 s, mostly start-up at 1,000 services): run ${small.runCpuMs.toFixed(0)} → ${large.runCpuMs.toFixed(0)} ms CPU for ${ev(small)} → ${ev(large)} events, ` +
        `${small.cpuUsPerEvent.toFixed(2)} → ${large.cpuUsPerEvent.toFixed(2)} µs CPU per event (${(large.cpuUsPerEvent / small.cpuUsPerEvent).toFixed(1)}× the 10-service one)`,
      `  marginal (what each further event costs a long run, every proxy in use; each length's least CPU time): ${sm.marginalUs.toFixed(2)} → ${lm.marginalUs.toFixed(2)} µs CPU per event ` +
        `(${(lm.marginalUs / sm.marginalUs).toFixed(1)}× the 10-service one; goal ≤ 1.5×; the rounds' own differences ${sm.spreadUs[0].toFixed(2)}–${sm.spreadUs[1].toFixed(2)} → ${lm.spreadUs[0].toFixed(2)}–${lm.spreadUs[1].toFixed(2)}), ` +
        `between ${ev(sm.short)} and ${ev(sm.long)} → ${ev(lm.short)} and ${ev(lm.long)} events; ` +
        `peak RSS at ${ev(sm.long)} → ${ev(lm.long)} events ${sm.long.peakRssMb.toFixed(0)} → ${lm.long.peakRssMb.toFixed(0)} MB; ` +
        `load average ${lm.load[0].toFixed(1)}–${lm.load[1].toFixed(1)} (compare sittings at like loads only)`,
    ];
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
  const rounds = process.argv[2] === undefined ? MARGINAL_ROUNDS : Number(process.argv[2]);
  const [l1, l5, l15] = os.loadavg();
  console.log(`load average ${l1!.toFixed(1)} ${l5!.toFixed(1)} ${l15!.toFixed(1)} on ${os.cpus().length} cores; ${rounds} interleaved rounds (the 30 s window ${Math.min(rounds, WINDOW_ROUNDS)}, its median)`);
  const bin = process.argv[3] === undefined ? BIN : path.resolve(process.argv[3]);
  for (const line of scaleLines(benchScale([10, 1000], rounds, bin))) console.log(line);
}
