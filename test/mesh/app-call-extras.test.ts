// An app call keeps its timeout, retries and connection in an object made only for the calls that
// have one of them (AppCallExtras, src/mesh/app/app-call.ts; docs/performance.md, Goal 2, session 27):
// each of the three alone must still take effect, and a call with none must read as one attempt on
// no pinned connection.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";
import { AppCalls, type AppCall } from "../../src/mesh/app/app-call.js";
import type { Exchange, Origin, OutgoingRequest, Responder, Transport } from "../../src/mesh/transport.js";

const origin: Origin = { pod: null, workload: "w", namespace: "default" };
const req = { method: "GET", scheme: "http", authority: "a", path: "/", headers: {}, target: {} } as unknown as OutgoingRequest;

/** A transport answering the i-th send with `status(i)` after 1 ms (never, for status -1), or after
 *  `lateMs`; `onAbandon` answers an abandoned exchange at once with that status. */
function world(status: (i: number) => number, lateMs = 1, onAbandon = 0) {
  const sim = new Simulator();
  const sent: number[] = [];
  const kAnswer = sim.on((p: { r: Responder; code: number }) => p.r.onResponse(p.code, "-", 7));
  const transport: Transport = {
    send(_o: Origin, _r: OutgoingRequest, r: Responder, conn: number): Exchange {
      const code = status(sent.length);
      sent.push(conn);
      if (code >= 0) sim.after(lateMs, kAnswer, { r, code });
      return { abandon: () => void (onAbandon !== 0 && r.onResponse(onAbandon, "-")) };
    },
  };
  const calls = new AppCalls(sim, transport, () => 0);
  const done: [number, AppCall][] = [];
  const owner = { onCallDone: (c: AppCall) => void done.push([sim.now, c]) };
  return { sim, calls, sent, done, owner };
}

describe("an app call's rare state (AppCallExtras)", () => {
  it("a call with none: one attempt, on no pinned connection, its answer recorded", () => {
    const w = world(() => 503);
    w.calls.start(origin, req, undefined, 0, w.owner);
    w.sim.run();
    expect(w.sent).toEqual([-1]);
    const [at, c] = w.done[0]!;
    expect([at, c.status, c.flags, c.bytes, c.attempts, c.conn, c.timedOutAtApp]).toEqual([1, 503, "-", 7, 1, -1, false]);
  });

  it("retries alone (no timeout, no connection): the failed attempt is retried", () => {
    const w = world((i) => (i < 2 ? 503 : 200));
    w.calls.start(origin, req, undefined, 2, w.owner);
    w.sim.run();
    expect(w.sent).toEqual([-1, -1, -1]);
    expect(w.done.map(([at, c]) => [at, c.status, c.attempts])).toEqual([[3, 200, 3]]);
  });

  it("a pinned connection alone: every attempt goes out on it", () => {
    const w = world(() => 200);
    w.calls.start(origin, req, undefined, 0, w.owner, 4);
    w.sim.run();
    expect(w.sent).toEqual([4]);
    expect(w.done[0]![1].conn).toBe(4);
  });

  it("a timeout alone: the call ends at it, marked as timed out at the app", () => {
    const w = world(() => -1);
    w.calls.start(origin, req, 50, 0, w.owner);
    w.sim.run();
    const [at, c] = w.done[0]!;
    expect([at, c.status, c.attempts, c.timedOutAtApp]).toEqual([50, 0, 1, true]);
  });

  it("an answer after the app's timeout, or one its abandon gives at once, is not the call's", () => {
    // The call waits while its status is ATTEMPTING (no flag of its own: docs/performance.md, Goal 2,
    // session 27); the timeout must end the wait before it abandons the exchange.
    for (const [lateMs, onAbandon] of [[60, 0], [60, 499]]) {
      const w = world(() => 200, lateMs, onAbandon);
      w.calls.start(origin, req, 50, 0, w.owner);
      w.sim.run();
      expect(w.done.map(([at, c]) => [at, c.status, c.timedOutAtApp])).toEqual([[50, 0, true]]);
    }
  });
});
