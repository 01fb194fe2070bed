// A fuzz campaign over scenario mutations through the command line's entry points, in-process
// (`meshsim run` and `meshsim analyze` as main.ts calls them): every input either runs (exit 0 or 1)
// or is refused as invalid (exit 2) — never an internal error (exit 3), never a hang. Bounded in
// time: a run's budget is lowered so no mutation can run long, and fast-check stops after a minute.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import fs from "node:fs";
import path from "node:path";
import { runCommand } from "../../src/cli/run-command.js";
import { analyzeCommand } from "../../src/cli/analyze-command.js";
import { exitCodeOf } from "../../src/cli/exit.js";
import { tmpDir } from "../support/cli.js";

const BASE = `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: fuzz}
spec:
  seed: 1
  duration: 5s
  warmup: 1s
  report: {window: 1s}
  mesh: {mode: sidecar}
  timeline:
  - at: 2s
    scale: {deployment: server, replicas: 2}
  expect:
  - client: users
    p99: "< 300ms"
    errorRate: "< 1%"
---
apiVersion: v1
kind: Service
metadata: {name: server}
spec:
  selector: {app: server}
  ports: [{name: http, port: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  replicas: 1
  selector: {matchLabels: {app: server}}
  template:
    metadata: {labels: {app: server}}
    spec:
      containers: [{name: server, image: example/server, ports: [{containerPort: 8080}]}]
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: server}
spec:
  selector: {app: server}
  concurrency: 5
  serviceTime: {dist: exponential, mean: 20ms}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec:
  host: server
  trafficPolicy:
    outlierDetection: {consecutive5xxErrors: 5, interval: 10s, baseEjectionTime: 30s}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec:
  from: outside
  target: http://server:8080/
  rate: 50
  arrival: poisson
`;

// The values issue 20's campaign found trouble with, and more of their kind.
const NASTY = [
  "0", "-1", "1e9", "1e308", "2147483648", "9007199254740993", ".nan", ".inf", "-.inf", "null", "~", "[]", "{}", '""', "''",
  "99999999999999999999h", "100000h", "1ns", "1us", "0s", "-5s", "5", "1e-300s", "abc", "'a\\u0007b'", '"\\x1b[2J"',
  `"${"x".repeat(300)}"`, "*nope", "&a 1", "[1, [2, [3]]]", "{<<: {a: 1}}", "!!binary aGk=", "2001-12-14", "0x1F", "1_000",
];
// Keys of BASE whose values the campaign replaces (each occurrence is a candidate).
const KEYS = ["seed", "duration", "warmup", "window", "mode", "at", "replicas", "concurrency", "mean", "interval", "baseEjectionTime",
  "consecutive5xxErrors", "rate", "arrival", "port", "containerPort", "name", "target", "host", "p99", "errorRate", "client", "from", "deployment"];

/** Replaces the value of the `nth` occurrence of `key:` in the text. */
function replaceValue(text: string, key: string, nth: number, value: string): string {
  const re = new RegExp(`(\\b${key}: )([^,}\\n]+)`, "g");
  const hits = [...text.matchAll(re)];
  if (hits.length === 0) return text;
  const h = hits[nth % hits.length]!;
  return text.slice(0, h.index! + h[1]!.length) + value + text.slice(h.index! + h[0]!.length);
}

const mutation = fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.nat(5), fc.constantFrom(...NASTY)), { minLength: 1, maxLength: 3 })
  .map((edits) => edits.reduce((t, [k, n, v]) => replaceValue(t, k, n, v), BASE));
const textEdit = fc.tuple(fc.nat(BASE.length), fc.nat(12), fc.string({ maxLength: 6, unit: fc.constantFrom(..."{}[]:- ,'\"&*!|>#<\n0a9.\u0007") }))
  .map(([at, cut, ins]) => BASE.slice(0, at) + ins + BASE.slice(at + cut));

/** How the command ended: its exit code, or the code its error maps to. */
async function outcome(run: () => number | Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    const code = exitCodeOf(e);
    if (code === 3) throw new Error(`internal error: ${(e as Error).stack}`);
    expect((e as Error).message).not.toMatch(/\n\s+at /);
    return code;
  }
}

describe("fuzzed scenarios through `meshsim run` and `meshsim analyze`: exit 0, 1 or 2, never 3, never a hang", () => {
  const dir = tmpDir("meshsim-fuzz-");
  const file = path.join(dir, "sim.yaml");
  const out = path.join(dir, "out");

  it.each([["value mutations", mutation], ["text edits", textEdit]] as const)("%s", async (_name, inputs) => {
    const write = process.stdout.write.bind(process.stdout);
    let worst = 0;
    const tally = new Map<number, number>();
    await fc.assert(fc.asyncProperty(inputs, async (text) => {
      fs.writeFileSync(file, text);
      const started = performance.now();
      process.stdout.write = (() => true) as typeof process.stdout.write;
      try {
        const analyzed = await outcome(() => analyzeCommand({ scenario: file }));
        expect([0, 1, 2]).toContain(analyzed);
        const ran = await outcome(() => runCommand({ scenario: file, format: "json", json: false, quiet: true, out, maxEvents: 2e6, maxWindows: 1e4 }));
        expect([0, 1, 2]).toContain(ran);
        tally.set(ran, (tally.get(ran) ?? 0) + 1);
      } finally {
        process.stdout.write = write;
      }
      worst = Math.max(worst, performance.now() - started);
      // A run within the lowered budget (2 million events) takes seconds, not minutes.
      expect(performance.now() - started).toBeLessThan(60_000);
    }), { numRuns: 300, interruptAfterTimeLimit: 60_000, seed: 20 });
    expect(worst).toBeGreaterThan(0);
    // The campaign reaches both sides: scenarios that run and scenarios refused as invalid.
    expect((tally.get(0) ?? 0) + (tally.get(1) ?? 0)).toBeGreaterThan(0);
    expect(tally.get(2) ?? 0).toBeGreaterThan(0);
  }, 180_000);
});
