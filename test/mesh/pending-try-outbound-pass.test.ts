// The client sidecar's outbound pass (its worker's queue, on-path CPU, the rest of its latency) delays
// whatever the router does first, once: the connect of a try that opens a connection, or the send of a
// try that waits in the pool for a connection another try opened. The router carries that latency as a
// parameter and keeps it (in its extras) only for such a waiting try (docs/performance.md, Goal 3,
// session 27 `hop13`); this checks the waiting try still spends it once the connection is up.
import { describe, expect, it } from "vitest";
import { createWorld } from "../../src/runner/run-scenario.js";
import { scenarioFrom } from "../support/scenario-text.js";
import { clientAndBackendYaml, clientSender } from "../support/client-and-backend.js";

const SCENARIO = clientAndBackendYaml({
  name: "pending-try-outbound-pass", spec: "  duration: 5s\n  network: {latency: {dist: constant, value: 1ms}}\n  mesh: {proxy: {latency: {dist: constant, value: 2ms}}}",
  backend: "serviceTime: {dist: constant, value: 10ms}", portName: "http2",
  istio: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: backend}
spec:
  host: backend
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}`,
});

describe("a try waiting in the pool for another try's connection", () => {
  it("leaves with its own outbound pass's latency once the connection is up", () => {
    const world = createWorld(scenarioFrom(SCENARIO)).world;
    const send = clientSender(world);
    const inbound = world.sidecars.d.inbound;
    // The router hands the wire time in `inbound.wireMs` (session 28 `bi13`): read it at each call.
    const wire: number[] = [];
    const received = inbound.received.bind(inbound);
    inbound.received = (...args: Parameters<typeof received>): void => {
      wire.push(inbound.wireMs);
      received(...args);
    };
    const answers: number[] = [];
    // One downstream connection (one worker, one pool), HTTP/2 with no circuit-breaker limit (so the
    // pass is no event of its own): the first opens the connection, the second waits in the pool
    // for it to be established.
    for (let i = 0; i < 2; i++) send((status) => { answers.push(status); }, 0);
    world.advance(1_000);
    expect(answers).toEqual([200, 200]);
    expect(wire.length).toBe(2);
    // The first spent its pass on the connect: one network trip (1 ms) to the host.
    expect(wire[0]).toBe(1);
    // The second spends its own pass (at least the proxy's 2 ms) at its send, with the trip.
    expect(wire[1]!).toBeGreaterThanOrEqual(3);
  });
});
