// A sweep's scenarios, loaded once and shared by every thread: each point's Scenario (plain data —
// test/scenario/plain-data.test.ts) serialized with V8's structured clone into one SharedArrayBuffer,
// which worker threads receive without a copy. A run deserializes a fresh Scenario of its own, the
// same as loading the files again (a run may not share its Scenario with another) at a fraction of
// the cost: no file read, no YAML parse, no validation, and for a 1,000-service mesh ≈ 1.4 MB held
// once instead of ≈ 5 MB of objects per point and thread.
// https://nodejs.org/api/v8.html#serialization-api
import v8 from "node:v8";
import type { Scenario } from "../scenario/model.js";

/**
 * One view per item's scenario, in order, on a single SharedArrayBuffer; each scenario is serialized
 * as soon as it is loaded, so that no more than one is held as objects.
 */
export function shareScenarios<T>(items: readonly T[], load: (item: T) => Scenario): Uint8Array[] {
  const parts = items.map((item) => v8.serialize(load(item)));
  const shared = new Uint8Array(new SharedArrayBuffer(parts.reduce((n, p) => n + p.length, 0)));
  let at = 0;
  return parts.map((p) => {
    shared.set(p, at);
    const view = shared.subarray(at, at + p.length);
    at += p.length;
    return view;
  });
}

/** A Scenario of the caller's own, from a view shareScenarios made. */
export function sharedScenario(bytes: Uint8Array): Scenario {
  return v8.deserialize(bytes) as Scenario;
}
