// A sweep's thread runs replication after replication in one V8 isolate, so code optimized during the
// first run meets the second run's new objects. An array made empty (`new Array(n)`, `[]`) holds small
// integers; its first object or fraction changes its hidden class (elements kind), and a field first
// set to a small integer changes its representation when a sum overflows: the next run's new objects
// then come with the first class again and deoptimize the optimized code (`--trace-deopt` over a
// 1-thread sweep of 15: `EventQueue.push`, `CpuUsage.spread`, `LatencyHistogram.record`;
// docs/performance.md, Goal 5, session 18; https://v8.dev/blog/elements-kinds). Each test makes an
// untouched object first, uses a second one as a run does, and checks that both have one class.
// This file must stay the only one making these objects in its module context (vitest isolates files).
import { describe, expect, it } from "vitest";
import { hiddenClasses } from "../support/hidden-class.js";
import { EventQueue } from "../../src/engine/event-queue.js";
import { CpuUsage } from "../../src/telemetry/cpu-usage.js";
import { LatencyHistogram } from "../../src/telemetry/histogram.js";

/** A private field read for the test only: the array whose class the run's code checks. */
function field(o: object, name: string): object {
  return (o as Record<string, object>)[name]!;
}

describe("a run's new objects have the classes the previous run's optimized code saw", () => {
  it("EventQueue's payloads hold objects from the start", () => {
    const untouched = new EventQueue();
    const used = new EventQueue();
    used.push(1.5, 0, { request: 1 });
    expect(used.popUntil(2)).toBe(true);
    expect(hiddenClasses([field(untouched, "payloads"), field(used, "payloads")])).toBe(1);
  });

  it("CpuUsage's windows hold doubles from the start", () => {
    const untouched = new CpuUsage();
    const used = new CpuUsage();
    used.add(0, 1500.25, 1);
    expect(used.coreMsBetween(0, 2000)).toBe(1500.25);
    expect(hiddenClasses([field(untouched, "windows"), field(used, "windows")])).toBe(1);
  });

  it("LatencyHistogram's sum past the small-integer range (≈ 2,147 s of µs)", () => {
    const untouched = new LatencyHistogram();
    const used = new LatencyHistogram();
    // Each value within the range (as a run's latencies are), their sum beyond it.
    used.record(2_000_000);
    used.record(2_000_001);
    expect(used.mean).toBe(2_000_000.5);
    expect(hiddenClasses([untouched, used])).toBe(1);
  });
});
