// A sweep loads each point's scenario once and gives every run a copy of it through V8's structured
// clone instead of loading it again (src/cli/shared-scenario.ts). That copy is exact only while a
// loaded Scenario is plain data: objects, arrays and primitives, with no class instance (whose
// prototype a clone loses), no function (which the clone refuses) and no getter. Every shipped
// scenario must stay so.
import fs from "node:fs";
import path from "node:path";
import { globSync } from "tinyglobby";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { shareScenarios, sharedScenario } from "../../src/cli/shared-scenario.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const SIMULATIONS = globSync(["scenarios/**/*.yaml", "bench/scenarios/*-10.yaml"], { cwd: ROOT })
  .sort()
  .filter((f) => /^kind: Simulation$/m.test(fs.readFileSync(path.join(ROOT, f), "utf8")));

/** Where `v` holds something other than plain data, or undefined. */
function notPlain(v: unknown, at: string, seen = new Set<object>()): string | undefined {
  if (typeof v === "function" || typeof v === "symbol") return `${at}: a ${typeof v}`;
  if (typeof v !== "object" || v === null || seen.has(v)) return undefined;
  seen.add(v);
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return `${at}: an instance of ${(v as object).constructor.name}`;
  for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(v))) {
    if (Array.isArray(v) && k === "length") continue;
    if (d.get !== undefined || d.set !== undefined) return `${at}.${k}: a getter or setter`;
    if (!d.enumerable) return `${at}.${k}: not enumerable`;
    const inner = notPlain(d.value, `${at}.${k}`, seen);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

describe("a loaded scenario is plain data", () => {
  it("finds the shipped scenarios", () => {
    expect(SIMULATIONS.length).toBeGreaterThan(20);
    expect(SIMULATIONS).toContain("scenarios/mmc.yaml");
  });

  it("the check itself finds a class instance, a function and a getter", () => {
    expect(notPlain({ a: [{ b: new Map() }] }, "s")).toBe("s.a.0.b: an instance of Map");
    expect(notPlain({ f: () => 1 }, "s")).toBe("s.f: a function");
    expect(notPlain(Object.defineProperty({}, "g", { get: () => 1, enumerable: true }), "s")).toBe("s.g: a getter or setter");
  });

  it.each(SIMULATIONS)("%s: no class instance, function or getter, and a sweep's shared copy is exact", (file) => {
    const s = loadScenario(path.join(ROOT, file));
    expect(notPlain(s, "scenario")).toBeUndefined();
    const [bytes] = shareScenarios([file], (f) => loadScenario(path.join(ROOT, f)));
    expect(bytes!.buffer).toBeInstanceOf(SharedArrayBuffer);
    const copy = sharedScenario(bytes!);
    expect(copy).toStrictEqual(s);
    expect(sharedScenario(bytes!)).not.toBe(copy);
  });

  it("shares several scenarios in one buffer, each copy of its own", () => {
    const files = ["scenarios/mmc.yaml", "scenarios/bookinfo/simulation.yaml"];
    const views = shareScenarios(files, (f) => loadScenario(path.join(ROOT, f)));
    expect(views[0]!.buffer).toBe(views[1]!.buffer);
    expect(views.map((v) => sharedScenario(v).simulation.metadata.name)).toEqual(files.map((f) => loadScenario(path.join(ROOT, f)).simulation.metadata.name));
  });
});
