import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { EventQueue } from "../../src/engine/event-queue.js";
import { FixedDelayTimers } from "../../src/engine/fixed-delay-timers.js";
import { Simulator } from "../../src/engine/simulator.js";

// A reference future event list: a plain array, scanned for the smallest (time, insertion) live entry.
interface RefEvent { time: number; seq: number; id: number; live: boolean; fired: boolean }

type QueueOp =
  | { op: "push"; time: number }
  | { op: "cancel"; pick: number }
  | { op: "pop" }
  | { op: "burst"; count: number; time: number }; // many pushes then cancels: drives compaction

const queueOp: fc.Arbitrary<QueueOp> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant("push" as const), time: fc.integer({ min: 0, max: 20 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("cancel" as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("pop" as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("burst" as const), count: fc.integer({ min: 1400, max: 2200 }), time: fc.integer({ min: 0, max: 20 }) }) },
);

describe("EventQueue against a reference model", () => {
  it("events come out in (time, insertion) order whatever the pushes and cancels, and cancel answers as the model does", () => {
    fc.assert(
      fc.property(fc.array(queueOp, { maxLength: 120 }), (ops) => {
        const q = new EventQueue();
        const ref: RefEvent[] = [];
        const handles: number[] = [];
        let seq = 0;
        let liveCount = 0;
        let floor = 0; // times pushed are never below the last popped time (as in the simulator)
        const push = (dt: number): void => {
          const id = ref.length;
          ref.push({ time: floor + dt, seq: seq++, id, live: true, fired: false });
          handles.push(q.push(floor + dt, id % 7, id));
          liveCount++;
        };
        const cancel = (id: number): void => {
          const e = ref[id]!;
          const want = e.live;
          if (e.live) liveCount--;
          e.live = false;
          expect(q.cancel(handles[id]!)).toBe(want);
        };
        const pop = (): void => {
          let best: RefEvent | undefined;
          for (const e of ref) if (e.live && (best === undefined || e.time < best.time || (e.time === best.time && e.seq < best.seq))) best = e;
          expect(q.peekTime()).toBe(best === undefined ? Infinity : best.time);
          const got = q.popInto();
          expect(got).toBe(best !== undefined);
          if (best !== undefined) {
            expect([q.time, q.kind, q.payload]).toEqual([best.time, best.id % 7, best.id]);
            best.live = false;
            best.fired = true;
            liveCount--;
            floor = best.time;
          }
        };
        for (const o of ops) {
          if (o.op === "push") push(o.time);
          else if (o.op === "cancel") { if (ref.length > 0) cancel(o.pick % ref.length); }
          else if (o.op === "pop") pop();
          else {
            const first = ref.length;
            for (let i = 0; i < o.count; i++) push(o.time + (i % 13));
            for (let i = first; i < ref.length; i++) if (i % 4 !== 0) cancel(i);
          }
          expect(q.size).toBe(liveCount);
        }
        // Drain: the rest must come out as the live entries sorted by (time, insertion).
        const rest = ref.filter((e) => e.live).sort((a, b) => a.time - b.time || a.seq - b.seq);
        for (const e of rest) {
          expect(q.popInto()).toBe(true);
          if (q.payload !== e.id || q.time !== e.time) expect([q.time, q.payload]).toEqual([e.time, e.id]);
        }
        expect(q.popInto()).toBe(false);
        // Every handle is stale once everything has fired or been cancelled.
        for (let id = 0; id < ref.length; id += 97) expect(q.cancel(handles[id]!)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});

// FixedDelayTimers against a model: a timer added at t fires at exactly t + delay unless cancelled
// before then; timers fire in deadline order, and timers of equal deadline in the order added.
type TimerOp = { at: number; op: "add" } | { at: number; op: "cancel"; pick: number };

const timerOps = fc.array(
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ at: fc.integer({ min: 0, max: 60 }), op: fc.constant("add" as const) }) },
    { weight: 2, arbitrary: fc.record({ at: fc.integer({ min: 0, max: 60 }), op: fc.constant("cancel" as const), pick: fc.nat() }) },
  ),
  { maxLength: 400 },
);

describe("FixedDelayTimers against a reference model", () => {
  it("a timer fires exactly delay after it was added, once, unless cancelled first; in deadline then insertion order", () => {
    fc.assert(
      fc.property(timerOps, fc.constantFrom(0.5, 7.5, 25.5), (ops, delay) => {
        // Action times are integers and deadlines half-integers, so a cancel never ties with an expiry.
        const sim = new Simulator();
        const fired: { id: number; at: number }[] = [];
        const timers = new FixedDelayTimers(sim, delay, (id: number) => fired.push({ id, at: sim.now }));
        const sorted = [...ops].sort((a, b) => a.at - b.at); // stable: same-time actions keep their order
        const tokens: number[] = [];
        const added: { id: number; at: number; cancelledAt: number }[] = [];
        const kAct = sim.on((o: TimerOp) => {
          if (o.op === "add") {
            added.push({ id: added.length, at: sim.now, cancelledAt: Infinity });
            tokens.push(timers.add(added.length - 1));
          } else if (added.length > 0) {
            const k = o.pick % added.length;
            timers.cancel(tokens[k]!);
            if (added[k]!.cancelledAt === Infinity) added[k]!.cancelledAt = sim.now;
          }
        });
        for (const o of sorted) sim.at(o.at, kAct, o);
        sim.run();
        const want = added
          .filter((a) => a.cancelledAt > a.at + delay)
          .map((a) => ({ id: a.id, at: a.at + delay }))
          .sort((x, y) => x.at - y.at || x.id - y.id);
        expect(fired).toEqual(want);
        expect(sim.pending).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
