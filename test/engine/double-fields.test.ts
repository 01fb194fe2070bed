// Fields that hold fractional ms are doubles from their first store. V8 gives a field first set to a
// small integer (0, -1) the small-integer representation; the first fraction stored in it then makes
// a new hidden class and deprecates the old one, and every function optimized against the old one is
// deoptimized. In a 1,000-service mesh that first fraction comes late (its first events fall on whole
// ms), after the request path is optimized: --trace-deopt showed 9 functions of that path deoptimized
// at once by WorkerThreads.maxWaitMs (docs/performance.md, Goal 4, session 17;
// https://v8.dev/blog/react-cliff, "field representation"). Each test makes two objects, stores a
// fraction through the second one's own methods, and checks that both still share one hidden class:
// with the field first set to 0 the first object keeps the deprecated class, and the count is 2.
// This file must stay the only one making these objects in its module context (vitest isolates files).
import { describe, expect, it } from "vitest";
import { hiddenClasses } from "../support/hidden-class.js";
import { Simulator } from "../../src/engine/simulator.js";
import { EventQueue } from "../../src/engine/event-queue.js";
import { WorkerThreads } from "../../src/proxy/resources/worker-threads.js";
import { RequestStats } from "../../src/telemetry/request-stats.js";
import { CpuUsage } from "../../src/telemetry/cpu-usage.js";
import { PodStats } from "../../src/telemetry/pod-stats.js";
import { Recorder } from "../../src/telemetry/recorder.js";

describe("fields of fractional ms keep their objects' hidden class", () => {
  it("Simulator.now and EventQueue.time", () => {
    const a = new Simulator();
    const b = new Simulator();
    const q = new EventQueue();
    b.on(() => {});
    b.at(1.25, 0);
    b.run();
    expect(b.now).toBe(1.25);
    q.push(2.5, 0, null);
    q.popUntil(10);
    expect(hiddenClasses([a, b])).toBe(1);
    expect(hiddenClasses([new EventQueue(), q])).toBe(1);
  });

  it("WorkerThreads.lastStart, waitMs and maxWaitMs", () => {
    const a = new WorkerThreads(1);
    const b = new WorkerThreads(1);
    b.run(0, 0, 1.5, 0);
    b.run(0, 0.25, 1, 0);
    expect(b.maxWaitMs).toBe(1.25);
    expect(hiddenClasses([a, b])).toBe(1);
  });

  it("CodeSeries.sumMs, CpuUsage.totalMs and PodStats' integral", () => {
    const untouched = [new RequestStats(0), new CpuUsage(), new PodStats("q", 4, 0, 1000)] as const;
    untouched[0].record(10, 0, 200, "-");
    const s = new RequestStats(0);
    s.record(10, 3.7, 200, "-");
    expect(s.series[0]!.sumMs % 1).not.toBe(0);
    expect(hiddenClasses([untouched[0].series[0]!, s.series[0]!])).toBe(1);
    const c = new CpuUsage();
    c.add(0, 0.75, 1);
    expect(hiddenClasses([untouched[1], c])).toBe(1);
    const p = new PodStats("p", 4, 0, 1000);
    p.busyChanged(0.5, 1);
    p.busyChanged(1.75, 0);
    expect(hiddenClasses([untouched[2], p])).toBe(1);
  });

  it("a client's in-flight integral", () => {
    const r = new Recorder({ warmupMs: 0, windowMs: 1000, endMs: 10_000 });
    const untouched = r.client("b");
    const c = r.client("a");
    c.issued(0.5);
    c.issued(1.75);
    expect(hiddenClasses([untouched, c])).toBe(1);
  });
});
