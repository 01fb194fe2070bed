// The CPU a sidecar's worker spends after each answer (telemetry, the body's bytes) is booked at the
// answer's time. Its hot callers, the inbound leg's and the router's answer, hand that time to
// SidecarCpu.responded in the CPU's `at` field rather than as an argument (a double argument of a call
// TurboFan does not inline is a HeapNumber per call: docs/performance.md, Goal 3, session 28 `bi13`);
// the field also holds the last pass's start time, so a caller that forgot to store it would book
// the answer's CPU at an earlier request's arrival, which no figure of a light load shows.
import { describe, expect, it } from "vitest";
import { createWorld } from "../../src/runner/run-scenario.js";
import { SidecarCpu } from "../../src/mesh/sidecar/sidecar-cpu.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { clientAndBackendYaml, clientSender } from "../support/client-and-backend.js";

const SCENARIO = clientAndBackendYaml({
  name: "answer-cpu-time", spec: "  duration: 5s\n  network: {latency: {dist: constant, value: 1ms}}",
  backend: "serviceTime: {dist: constant, value: 10ms}", istio: "",
});

describe("a sidecar's CPU after an answer", () => {
  it("is booked at the answer's time, on the server's and the client's sidecar", () => {
    const world = createWorld(scenarioFrom(SCENARIO)).world;
    const send = clientSender(world);
    const booked: [number, number][] = [];
    const responded = SidecarCpu.prototype.responded;
    SidecarCpu.prototype.responded = function (this: SidecarCpu, w: number, bytes: number): void {
      booked.push([this.at, world.sim.now]);
      responded.call(this, w, bytes);
    };
    try {
      const answers: number[] = [];
      for (let i = 0; i < 3; i++) send((status) => { answers.push(status); }, 0);
      world.advance(1_000);
      expect(answers).toEqual([200, 200, 200]);
    } finally {
      SidecarCpu.prototype.responded = responded;
    }
    // Each answer passes the server's sidecar (the inbound leg) and the client's (the router).
    expect(booked.length).toBe(6);
    for (const [at, now] of booked) expect(at).toBe(now);
  });
});
