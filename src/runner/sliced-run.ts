// A run in slices of simulated time with a turn of Node's own event loop between them, so that a
// signal handler can run (a synchronous loop would never let it): the CLI's way to run. Each slice
// is aimed at about 50 ms of wall time. Slicing changes nothing in the results: the simulator
// processes the same events in the same order whatever `until` it is given (engine/simulator.ts).
import type { Scenario } from "../scenario/model.js";
import { createWorld, finishRun, type RunOptions, type RunOutcome } from "./run-scenario.js";
import type { Interrupt } from "./interrupt.js";
import { wallNowMs } from "./wall-clock.js";

const TARGET_SLICE_WALL_MS = 50;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface SlicedRunOptions extends RunOptions {
  interrupt?: Interrupt;
}

/** Runs the scenario; when `interrupt` fires, stops at the current simulated time and summarises it. */
export async function runScenarioSliced(scenario: Scenario, opts: SlicedRunOptions = {}): Promise<RunOutcome> {
  const durationMs = opts.durationMs ?? scenario.simulation.durationMs;
  const started = wallNowMs();
  const made = createWorld(scenario, opts);
  const { world } = made;
  let t = 0;
  let slice = Math.max(durationMs / 10_000, 1e-3);
  while (t < durationMs) {
    await nextTurn();
    if (opts.interrupt?.signal) {
      return finishRun(scenario, opts, made, { events: world.sim.eventsProcessed, unfinished: 0 }, started, t);
    }
    const t0 = wallNowMs();
    t = Math.min(durationMs, t + slice);
    world.advance(t);
    opts.progress?.(t / durationMs, world.sim.eventsProcessed);
    const took = wallNowMs() - t0;
    if (took < TARGET_SLICE_WALL_MS / 2) slice *= 2;
    else if (took > TARGET_SLICE_WALL_MS * 2) slice /= 2;
  }
  // The end reached: drain the requests still in flight (bounded in world.run) and summarise.
  return finishRun(scenario, opts, made, world.run(), started);
}
