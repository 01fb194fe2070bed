// A blocking script of exactly one compute step is walked in one turn, decided when the script is
// compiled (src/mesh/app/compiled-script.ts compileBehaviour `oneCompute`, src/mesh/app/app-server.ts
// `take`): the answers must come when the general walk (`run`) gives them, and a request that arrived
// under an older script must walk that script even after a `set` gave the app a one-compute one.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";
import { AppCalls } from "../../src/mesh/app/app-call.js";
import { AppServer, Apps, type AppObserver } from "../../src/mesh/app/app-server.js";
import { compileBehaviour } from "../../src/mesh/app/compiled-script.js";
import type { WorkloadBehaviour } from "../../src/scenario/model.js";
import type { DistributionSpec } from "../../src/engine/distributions/spec.js";
import type { Exchange, Origin, OutgoingRequest, Responder, Transport } from "../../src/mesh/transport.js";

const none: Transport = {
  send(_o: Origin, _r: OutgoingRequest, _x: Responder, _c: number): Exchange {
    return { abandon() {} };
  },
};
const origin: Origin = { pod: null, workload: "w", namespace: "default" };
const req = { method: "GET", scheme: "http", authority: "a", path: "/", headers: {}, target: {} } as unknown as OutgoingRequest;
const observer: AppObserver = { busyNow() {}, served() {} };
/** Constant compute times (the spec's value), so each answer's time is known. */
const fixed = (spec: DistributionSpec): (() => number) => () => (spec.dist === "constant" ? spec.value : NaN);

function behaviour(ms: number[], threading: "blocking" | "async" = "blocking"): WorkloadBehaviour {
  return {
    concurrency: 1, queueLimit: 10, threading, errorRate: 0,
    script: ms.map((value) => ({ kind: "compute" as const, time: { dist: "constant" as const, value } })),
  };
}

function server(b: WorkloadBehaviour): { sim: Simulator; app: AppServer; answers: number[]; send: () => void } {
  const sim = new Simulator();
  const app = new AppServer(new Apps(sim, new AppCalls(sim, none, () => 0)), compileBehaviour(b, fixed), origin, observer, () => 1);
  const answers: number[] = [];
  const responder: Responder = { onResponse: () => answers.push(sim.now) };
  return { sim, app, answers, send: () => app.arrive(req, responder) };
}

describe("a script of one compute step", () => {
  it("is compiled as one only for blocking threading and exactly one compute step", () => {
    expect(compileBehaviour(behaviour([5]), fixed).oneCompute?.()).toBe(5);
    expect(compileBehaviour(behaviour([5], "async"), fixed).oneCompute).toBeNull();
    expect(compileBehaviour(behaviour([5, 7]), fixed).oneCompute).toBeNull();
    expect(compileBehaviour(behaviour([]), fixed).oneCompute).toBeNull();
  });

  it("answers as the walk does: each request after its compute, the waiting ones in turn", () => {
    const s = server(behaviour([5]));
    s.send();
    s.send();
    s.send();
    s.sim.run();
    expect(s.answers).toEqual([5, 10, 15]);
  });

  it("a request queued under a two-step script walks it after the app's script became one step", () => {
    const s = server(behaviour([5, 7]));
    s.send(); // takes the slot: 5 + 7 ms
    s.send(); // waits for it
    s.app.behaviour = compileBehaviour(behaviour([100]), fixed);
    s.sim.run();
    // The second request's own script: 12 + 5 + 7 (a one-step turn would have answered at 12 + 100 + 7).
    expect(s.answers).toEqual([12, 24]);
  });
});
