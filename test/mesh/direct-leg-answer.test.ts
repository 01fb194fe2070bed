// The app's answer on a DirectLeg (src/mesh/kube/direct-exchange.ts `onResponse`): when it has no way
// back to travel it goes to the caller at once, without the `answer`/`deliver` layers
// (docs/performance.md, Goal 2, session 24). What reaches the caller, and when, must stay what those
// layers gave: an abandoned leg answers nobody (an app call retried after its timeout must not take
// the first attempt's late answer), a travelling answer is an event after the way back, and a
// connection with no HTTP answer comes back at once without a draw of the network's latency.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";
import { DirectLeg, type DirectPath } from "../../src/mesh/kube/direct-exchange.js";
import type { Pod } from "../../src/mesh/kube/pod.js";
import type { OutgoingRequest, Responder } from "../../src/mesh/transport.js";

function leg(wayBackMs: number) {
  const sim = new Simulator();
  let draws = 0;
  const path = {
    sim,
    inbound: { left() {} },
    network: { between: () => (draws++, wayBackMs) },
    // The way back's event carries the answer (DirectLegAnswer), as DirectPath's handler delivers it.
    kLegBack: sim.on((a: { deliver(): void }) => a.deliver()),
  } as unknown as DirectPath;
  const got: [number, number, string, number | undefined][] = [];
  const responder: Responder = { onResponse: (status, flags, bytes) => void got.push([sim.now, status, flags, bytes]) };
  const l = new DirectLeg(path, {} as Pod, null, {} as OutgoingRequest, responder);
  return { sim, l, got, draws: () => draws };
}

describe("DirectLeg.onResponse", () => {
  it("answers the caller at once when nothing travels back", () => {
    const { sim, l, got } = leg(0);
    l.onResponse(200, "-", 5);
    expect(got).toEqual([[0, 200, "-", 5]]);
    l.onResponse(503, "-", 1); // closed: a second answer is ignored
    sim.run();
    expect(got).toEqual([[0, 200, "-", 5]]);
  });

  it("answers nobody once its caller abandoned it, at once or after the way back", () => {
    for (const ms of [0, 2]) {
      const { sim, l, got } = leg(ms);
      l.abandon();
      l.onResponse(200, "-", 5);
      sim.run();
      expect(got).toEqual([]);
    }
  });

  it("answers nobody when its caller gives up while the answer travels back", () => {
    // The leg keeps no flag of its own (docs/performance.md, Goal 2, session 27): the travelling answer
    // must look the caller up when it arrives, not when it leaves.
    const { sim, l, got } = leg(2);
    l.onResponse(200, "-", 5);
    sim.at(1, sim.on(() => l.abandon()), undefined);
    sim.run();
    expect(got).toEqual([]);
  });

  it("answers after the way back when the answer travels", () => {
    const { sim, l, got } = leg(2);
    l.onResponse(200, "UF", 7);
    expect(got).toEqual([]);
    sim.run();
    expect(got).toEqual([[2, 200, "UF", 7]]);
  });

  it("gives no HTTP answer (0) at once, with flags '-', and draws no latency for it", () => {
    const { l, got, draws } = leg(2);
    l.onResponse(0, "UC", 3);
    expect(got).toEqual([[0, 0, "-", 3]]);
    expect(draws()).toBe(0);
  });
});

// A pod's list head lives until HEAD_RENEWAL more requests entered the pod (mesh/sidecar/inbound.ts
// Inbound.enter): holding the first leg's responder kept that request's caller, and the caller's own
// chain of calls, alive as long (docs/performance.md, Goal 4, sessions 24 `hop12` and 25 `inb11`, which
// fixed InboundLeg's head the same way).
describe("DirectLeg.emptyHead", () => {
  it("holds nothing of the leg's responder", () => {
    const { l } = leg(0);
    const responder = (Object.values(l) as unknown[]).find((v) => typeof v === "object" && v !== null && "onResponse" in v);
    expect(responder).toBeDefined();
    const head = l.emptyHead();
    expect(head).not.toBe(l);
    expect(Object.values(head)).not.toContain(responder);
  });
});
