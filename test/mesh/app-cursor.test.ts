// A ServedRequest is the cursor of its request's script walk, and a parallel block's branches are
// cursors of the same class: a branch finds its request through its block's join, and an async
// cursor's wait for CPU is its `pendingMs` alone, -1 when not waiting (src/mesh/app/app-server.ts;
// docs/performance.md, Goal 2, session 27). What the app answers, and when, must be what the walk
// gives: a branch's end resumes the request, which alone answers and frees its slot; a queued
// compute, even of 0 ms, runs for its own time once a slot is free.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";
import { AppCalls } from "../../src/mesh/app/app-call.js";
import { AppServer, Apps, type AppObserver } from "../../src/mesh/app/app-server.js";
import { compileBehaviour } from "../../src/mesh/app/compiled-script.js";
import type { Step, WorkloadBehaviour } from "../../src/scenario/model.js";
import type { DistributionSpec } from "../../src/engine/distributions/spec.js";
import type { Exchange, Origin, OutgoingRequest, Responder, Transport } from "../../src/mesh/transport.js";

const none: Transport = {
  send(_o: Origin, _r: OutgoingRequest, _x: Responder, _c: number): Exchange {
    return { abandon() {} };
  },
};
const origin: Origin = { pod: null, workload: "w", namespace: "default" };
const req = { method: "GET", scheme: "http", authority: "a", path: "/", headers: {}, target: {} } as unknown as OutgoingRequest;
const fixed = (spec: DistributionSpec): (() => number) => () => (spec.dist === "constant" ? spec.value : NaN);
const compute = (value: number): Step => ({ kind: "compute", time: { dist: "constant", value } });

function server(script: Step[], threading: "blocking" | "async") {
  const sim = new Simulator();
  const busy: [number, number][] = [];
  const observer: AppObserver = { busyNow: (clock, n) => void busy.push([clock.now, n]), served() {} };
  const b: WorkloadBehaviour = { concurrency: 1, queueLimit: 10, threading, errorRate: 0, script };
  const app = new AppServer(new Apps(sim, new AppCalls(sim, none, () => 0)), compileBehaviour(b, fixed), origin, observer, () => 1);
  const answers: [number, number][] = [];
  const send = (k: number) => app.arrive(req, { onResponse: () => void answers.push([k, sim.now]) });
  return { sim, answers, busy, send };
}

describe("the app's cursors", () => {
  it("a parallel block's branches resume their request, which answers and frees its slot", () => {
    const s = server([{ kind: "parallel", steps: [compute(5), compute(7)] } as Step, compute(1)], "blocking");
    s.send(1);
    s.send(2);
    s.sim.run();
    expect(s.answers).toEqual([[1, 8], [2, 16]]);
  });

  it("a dropped request's branches stop at their step's end: the block's join never resumes it", () => {
    const s = server([{ kind: "parallel", steps: [compute(5), compute(7)] } as Step, compute(1)], "blocking");
    const sr = s.send(1);
    // Dropped at 3 ms, as a reset connection drops it (DirectLeg.appReset: served.done).
    s.sim.at(3, s.sim.on(() => void (sr.done = true)), undefined);
    s.sim.run();
    expect(s.answers).toEqual([]);
    // The branches' computes end at 5 and 7; the step after the block (1 ms more) never starts.
    expect(s.sim.now).toBe(7);
  });

  it("async: computes queued for the one slot run for their own times, a 0 ms one too", () => {
    const s = server([compute(2), compute(0), compute(3)], "async");
    s.send(1);
    s.send(2);
    s.sim.run();
    // 1 computes 0–2, 2 waits and computes 2–4 while 1's 0 ms step waits for the slot, then 1's
    // 0 ms at 4 and its 3 ms to 7 while 2's 0 ms waits, then 2's 0 ms at 7 and 3 ms to 10.
    expect(s.answers).toEqual([[1, 7], [2, 10]]);
    expect(s.busy.at(-1)).toEqual([10, 0]);
  });
});
