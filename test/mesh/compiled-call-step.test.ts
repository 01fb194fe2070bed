// A call step carries its CallSpec's timeout, retries and forwarded headers on the compiled step
// (src/mesh/app/compiled-script.ts compileBehaviour, read by src/mesh/app/app-server.ts `call`): the
// app's own timeout and retries must still end a call that gets no answer (3 attempts of 50 ms, then
// the request fails: onError fail), and the named incoming headers must still be forwarded. Two steps
// of one script with different timeouts must each time out at their own (each call finds the FIFO of
// its duration: src/mesh/app/app-call.ts AppCalls.timersFor), at every request.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";
import { AppCalls } from "../../src/mesh/app/app-call.js";
import { AppServer, Apps, type AppObserver } from "../../src/mesh/app/app-server.js";
import { compileBehaviour } from "../../src/mesh/app/compiled-script.js";
import type { CallSpec } from "../../src/scenario/model.js";
import type { Exchange, Origin, OutgoingRequest, Responder, Transport } from "../../src/mesh/transport.js";

const origin: Origin = { pod: null, workload: "w", namespace: "default" };
const observer: AppObserver = { busyNow() {}, served() {} };
const call: CallSpec = {
  to: { scheme: "http", host: "b", port: 80, path: "/", resolved: { kind: "external", host: "b" } },
  method: "GET", timeoutMs: 50, retries: 2, onError: "fail", forwardHeaders: ["x-user"],
};

describe("a compiled call step", () => {
  it("times out and retries as its CallSpec says, forwarding the named headers", () => {
    const sim = new Simulator();
    const sent: { at: number; headers: Readonly<Record<string, string>> }[] = [];
    // Never answers: each attempt ends by the app's timeout.
    const silent: Transport = {
      send(_o: Origin, r: OutgoingRequest, _x: Responder, _c: number): Exchange {
        sent.push({ at: sim.now, headers: r.headers });
        return { abandon() {} };
      },
    };
    const b = compileBehaviour(
      { concurrency: 1, queueLimit: 0, threading: "blocking", errorRate: 0, script: [{ kind: "call", call }] },
      () => () => 0,
    );
    const app = new AppServer(new Apps(sim, new AppCalls(sim, silent, () => 0)), b, origin, observer, () => 1);
    const answers: [number, number][] = [];
    const incoming = { method: "GET", scheme: "http", authority: "a", path: "/", headers: { "x-user": "u", other: "o" }, target: call.to } as OutgoingRequest;
    app.arrive(incoming, { onResponse: (status) => answers.push([sim.now, status]) });
    sim.run();
    expect(sent.map((s) => s.at)).toEqual([0, 50, 100]);
    expect(sent.every((s) => s.headers["x-user"] === "u" && !("other" in s.headers))).toBe(true);
    expect(answers).toEqual([[150, 500]]);
  });

  it("times each step's calls out at that step's own timeout, request after request", () => {
    const sim = new Simulator();
    const sent: number[] = [];
    const silent: Transport = {
      send(): Exchange {
        sent.push(sim.now);
        return { abandon() {} };
      },
    };
    const short: CallSpec = { ...call, timeoutMs: 30, retries: 0, onError: "continue" };
    const long: CallSpec = { ...call, timeoutMs: 70, retries: 0, onError: "continue" };
    const b = compileBehaviour(
      { concurrency: 1, queueLimit: 5, threading: "blocking", errorRate: 0, script: [{ kind: "call", call: short }, { kind: "call", call: long }] },
      () => () => 0,
    );
    const app = new AppServer(new Apps(sim, new AppCalls(sim, silent, () => 0)), b, origin, observer, () => 1);
    const answers: number[] = [];
    const incoming = { method: "GET", scheme: "http", authority: "a", path: "/", headers: {}, target: call.to } as unknown as OutgoingRequest;
    for (let i = 0; i < 3; i++) app.arrive(incoming, { onResponse: () => answers.push(sim.now) });
    sim.run();
    // One slot: each request's two calls, 30 then 70 ms, one request after the other.
    expect(sent).toEqual([0, 30, 100, 130, 200, 230]);
    expect(answers).toEqual([100, 200, 300]);
  });
});
