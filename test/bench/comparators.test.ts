// The bench's two comparators for meshsim's M/M/c (bench/minimal-loop.ts, bench/simjs-mmc.ts) model the
// same queue as meshsim's M/M/c scenario: their mean response time is Erlang C's, so a speed ratio
// against them compares equal work.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { bundleComparators } from "../../bench/comparator-process.js";
import { runMinimalMMc } from "../../bench/minimal-loop.js";
import { runSimjsMMc } from "../../bench/simjs-mmc.js";
import { ROOT } from "../../bench/whole-process.js";
import { mmcMeanResponse } from "../support/queueing.js";

const o = { c: 5, utilisation: 0.7, requests: 200_000, seed: 7 };
const theory = mmcMeanResponse(o.c, o.utilisation * o.c, 1);

describe("the bench's M/M/c comparators", () => {
  it("the minimal loop serves every request with Erlang C's mean response", () => {
    const r = runMinimalMMc(o);
    expect(r.requests).toBe(o.requests);
    expect(Math.abs(r.meanResponse / theory - 1)).toBeLessThan(0.03);
  });

  it("simjs serves every request with Erlang C's mean response, the same for the same seed", () => {
    const r = runSimjsMMc(o);
    expect(r.requests).toBe(o.requests);
    expect(Math.abs(r.meanResponse / theory - 1)).toBeLessThan(0.03);
    expect(runSimjsMMc(o)).toEqual(r);
    // simjs's stand-in `window` is gone again.
    expect("window" in globalThis).toBe(false);
  });

  it("a c of 1 is simjs's M/M/1 (the facility's servers are the model's c)", () => {
    const one = runSimjsMMc({ ...o, c: 1, requests: 100_000 });
    expect(Math.abs(one.meanResponse / mmcMeanResponse(1, 0.7, 1) - 1)).toBeLessThan(0.06);
  });

  it("as whole processes (the headline's), each prints the same result as in this process", () => {
    const script = bundleComparators(ROOT);
    for (const [which, inProcess] of [["minimal", runMinimalMMc(o)], ["simjs", runSimjsMMc(o)]] as const) {
      const r = spawnSync(process.execPath, [script, which, String(o.c), String(o.utilisation), String(o.requests), String(o.seed)], { encoding: "utf8" });
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ requests: inProcess.requests, meanResponse: inProcess.meanResponse });
    }
  });
});
