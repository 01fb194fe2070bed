// Istio's circuit-breaking task on a cluster of one node, on the default profile: the page shows 3 of
// 20 refused at -c 2 and 19 of 30 at -c 3 (Istio 1.5, mTLS); a reader's run of mid-2024 Istio on what
// is most likely a one-node kind cluster shows 3 and 20.
// https://istio.io/latest/docs/tasks/traffic-management/circuit-breaking/
// On one node a pod-to-pod hop is veth → the node's routing → veth, tens of µs one way
// (network.sameNode's default, sources in src/scenario/network-topology.ts), so a new mTLS connection
// is up in about one sidecar pass and the second client rarely finds the first one's request still
// pending. While sameNode defaulted to sameZone (the datacenter network, exponential mean 0.1 ms a
// way), the set-up took three passes and -c 2 refused 8.75–11.5 of 20 on average (seeds 1–20), no seed
// within one refusal of the page's 3 (minima 5–8): the bounds below fail on that code.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { writeScenario } from "../support/scenario-text.js";

const DIR = path.resolve(import.meta.dirname, "../../scenarios/resilience");
const FILE = "circuit-breaking-one-node.yaml";

/** 503s per seed (1–20) with httpbin's service time lognormal at `medianMs`, p99 three times that. */
function refused(medianMs: number, c3: boolean): number[] {
  let text = fs.readFileSync(path.join(DIR, FILE), "utf8");
  if (c3) text = text.replace("connections: 2\n  requests: 20", "connections: 3\n  requests: 30").replace('requests: "== 20"', 'requests: "== 30"');
  const httpbin = fs.readFileSync(path.join(DIR, "httpbin.yaml"), "utf8")
    .replace("serviceTime: {dist: lognormal, median: 1ms, p99: 3ms}", `serviceTime: {dist: lognormal, median: ${medianMs}ms, p99: ${3 * medianMs}ms}`);
  expect(httpbin).toContain(`median: ${medianMs}ms`);
  const copy = writeScenario({ [FILE]: text, "httpbin.yaml": httpbin });
  const out: number[] = [];
  for (let seed = 1; seed <= 20; seed++) {
    const fortio = runScenario(loadScenario(copy), { seed }).summary.clients["fortio"]!;
    expect(fortio.requests).toBe(c3 ? 30 : 20);
    out.push(fortio.codes["503"] ?? 0);
  }
  return out;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("Istio's circuit-breaking task on one node, default profile (seeds 1–20)", () => {
  for (const median of [0.1, 0.3, 1]) {
    it(`-c 2 -n 20, httpbin ${median} ms: a few refused, the page's 3 within one of a seed`, () => {
      const xs = refused(median, false);
      // Measured: 6.5 (4–13), 5.55 (3–9), 3.95 (1–7) for 0.1 / 0.3 / 1 ms; seeds 21–40: 6.6, 5.85,
      // 4.8, at most 9. The sameZone model fails the mean and the minimum; the maximum is one seed's
      // luck (13 of 20 at 0.1 ms with seed 17 since the ziggurat normal changed every log-normal
      // draw: it was 9 with the polar method's draws).
      expect(mean(xs)).toBeGreaterThanOrEqual(3);
      expect(mean(xs)).toBeLessThanOrEqual(7);
      expect(Math.min(...xs)).toBeLessThanOrEqual(4);
      expect(Math.min(...xs)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...xs)).toBeLessThanOrEqual(13);
    }, 120_000);

    it(`-c 3 -n 30, httpbin ${median} ms: about two thirds refused (the page: 19, the 2024 run: 20)`, () => {
      const xs = refused(median, true);
      // Measured: 18.7 (17–21), 18.5 (14–23), 17.6 (14–22).
      expect(mean(xs)).toBeGreaterThanOrEqual(15);
      expect(mean(xs)).toBeLessThanOrEqual(21);
      expect(Math.max(...xs)).toBeLessThanOrEqual(25);
    }, 120_000);
  }
});
