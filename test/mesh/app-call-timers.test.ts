// AppCalls.timersFor finds an app timeout's FIFO by a scan of the first durations before
// TimersByDelay's Map (src/mesh/app/app-call.ts): it must give, for every duration and in any order,
// the very FIFO TimersByDelay.for gives (one per duration, src/engine/fixed-delay-timers.ts), past
// the scanned ones too, and a call's timeout must still fire at its own duration.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";
import { AppCalls, type AppCall } from "../../src/mesh/app/app-call.js";
import type { Exchange, Origin, OutgoingRequest, Responder, Transport } from "../../src/mesh/transport.js";

/** A transport that never answers: every call ends by its app timeout. */
const silent: Transport = {
  send(_o: Origin, _r: OutgoingRequest, _x: Responder, _c: number): Exchange {
    return { abandon() {} };
  },
  closeConnection() {},
};

const origin: Origin = { pod: null, workload: "w", namespace: "default" };
const req = { method: "GET", scheme: "http", authority: "a", path: "/", headers: {}, target: {} } as unknown as OutgoingRequest;

describe("AppCalls.timersFor", () => {
  it("gives TimersByDelay's FIFO for each duration, the scanned ones and those past them", () => {
    const calls = new AppCalls(new Simulator(), silent, () => 0);
    const durations = [3000, 500, 3000, 10, 20, 30, 40, 50, 60, 70, 80, 90, 500, 90, 10, 0.25];
    for (const ms of durations) {
      const t = calls.timersFor(ms);
      expect(t).toBe(calls.timeouts.for(ms));
      expect(t.delayMs).toBe(ms);
    }
    // One FIFO per duration: two durations never share one.
    const distinct = new Set(durations.map((ms) => calls.timersFor(ms)));
    expect(distinct.size).toBe(new Set(durations).size);
  });

  it("times each call out after its own duration", () => {
    const sim = new Simulator();
    const calls = new AppCalls(sim, silent, () => 0);
    const ended: [number, number][] = [];
    const owner = { onCallDone: (c: AppCall) => ended.push([c.startMs, sim.now]) };
    for (let i = 0; i < 12; i++) calls.start(origin, req, 100 + i * 10, 0, owner);
    calls.start(origin, req, 100, 0, owner);
    sim.run();
    expect(ended.map(([s, e]) => e - s).sort((a, b) => a - b)).toEqual([100, 100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200, 210]);
  });
});
