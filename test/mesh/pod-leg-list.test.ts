// The requests inside a pod are an intrusive list per pod (mesh/sidecar/inbound.ts Inbound.enter,
// left, resetAll, appCrashed, dropAll): a kill must reach every request still inside exactly once,
// newest first, whichever left before (first, last or in the middle of the list), and a pod whose
// list emptied takes new requests again. The list is null-terminated since session 18 (one write
// barrier per entry instead of two, docs/performance.md Goal 3); these cases hold either shape.
// Its head is renewed every HEAD_RENEWAL entries (session 21 `podlist`, a young head takes no write
// barrier's slow path): the legs and their order must survive each renewal.
import { describe, expect, it } from "vitest";
import { HEAD_RENEWAL, Inbound, type PodLeg } from "../../src/mesh/sidecar/inbound.js";
import { InboundLeg } from "../../src/mesh/sidecar/inbound-leg.js";
import type { OutgoingRequest, Origin, Responder } from "../../src/mesh/transport.js";
import type { Pod } from "../../src/mesh/kube/pod.js";
import type { ServedRequest } from "../../src/mesh/app/app-server.js";

class FakeLeg implements PodLeg {
  prev: PodLeg | null = null;
  next: PodLeg | null = null;
  served: ServedRequest | null = null;
  constructor(readonly name: string, readonly log: string[]) {}
  emptyHead(): PodLeg {
    return new FakeLeg("head", this.log);
  }
  appReset(): void { this.log.push(`appReset ${this.name}`); }
  drop(): void { this.log.push(`drop ${this.name}`); }
  reset(): void { this.log.push(`reset ${this.name}`); }
}

function inbound(): Inbound {
  // Only the list is exercised: the simulator is asked for an event kind, nothing else.
  const sim = { on: () => 0 };
  return new Inbound(sim as never, {} as never, () => 0, {} as never, {} as never, () => 0, {} as never, () => 0);
}

function pod(): Pod {
  return { inside: null, insideEntriesLeft: 0 } as unknown as Pod;
}

describe("the requests inside a pod", () => {
  it("a kill resets those still inside, newest first, each once", () => {
    const rt = inbound();
    const p = pod();
    const log: string[] = [];
    const legs = ["a", "b", "c", "d", "e"].map((n) => new FakeLeg(n, log));
    for (const l of legs) rt.enter(p, l);
    expect(rt.active).toBe(5);
    // The oldest (last in the list), a middle one and the newest (first in the list) leave.
    rt.left(legs[0]!);
    rt.left(legs[2]!);
    rt.left(legs[4]!);
    expect(rt.active).toBe(2);
    rt.resetAll(p);
    expect(log).toEqual(["reset d", "reset b"]);
    expect(rt.active).toBe(0);
    expect(p.inside).toBeNull();
  });

  it("a pod whose list emptied takes new requests, and an app crash reaches only those the app holds", () => {
    const rt = inbound();
    const p = pod();
    const log: string[] = [];
    const a = new FakeLeg("a", log);
    rt.enter(p, a);
    rt.left(a);
    expect(rt.active).toBe(0);
    const b = new FakeLeg("b", log);
    const c = new FakeLeg("c", log);
    rt.enter(p, b);
    rt.enter(p, c);
    b.served = {} as ServedRequest;
    rt.appCrashed(p);
    expect(log).toEqual(["appReset b"]);
    rt.dropAll(p);
    expect(log).toEqual(["appReset b", "drop c", "drop b"]);
    // Unlinked on leaving: nothing points at a leg that left.
    rt.left(c);
    rt.left(b);
    expect(c.prev).toBeNull();
    expect(b.next).toBeNull();
    expect((p.inside as PodLeg).next).toBeNull();
  });

  it("a renewed head keeps every leg and its order: a kill after 2·N + 3 entries resets all still inside", () => {
    const rt = inbound();
    const p = pod();
    const log: string[] = [];
    const n = 2 * HEAD_RENEWAL + 3;
    const legs = Array.from({ length: n }, (_, i) => new FakeLeg(String(i), log));
    const heads: PodLeg[] = [];
    const gone = new Set<number>();
    for (let i = 0; i < n; i++) {
      rt.enter(p, legs[i]!);
      const head = p.inside as PodLeg;
      if (heads[heads.length - 1] !== head) heads.push(head);
      // Around each renewal, the newest leaves (its prev is the head current then), and the oldest.
      if (i % HEAD_RENEWAL === HEAD_RENEWAL - 1 || i % HEAD_RENEWAL === 0) {
        rt.left(legs[i]!);
        gone.add(i);
        const oldest = legs.findIndex((_, j) => j < i && !gone.has(j));
        if (oldest >= 0) {
          rt.left(legs[oldest]!);
          gone.add(oldest);
        }
      }
    }
    // Renewed at entries N and 2N (the first head made at entry 0): three heads, the old ones empty.
    expect(heads).toHaveLength(3);
    for (const h of heads.slice(0, -1)) expect(h.next).toBeNull();
    // One that entered before the last renewal, in the middle, leaves after it.
    rt.left(legs[HEAD_RENEWAL + 7]!);
    gone.add(HEAD_RENEWAL + 7);
    expect(rt.active).toBe(n - gone.size);
    rt.resetAll(p);
    const expected: string[] = [];
    for (let i = n - 1; i >= 0; i--) if (!gone.has(i)) expected.push(`reset ${i}`);
    expect(log).toEqual(expected);
    expect(rt.active).toBe(0);
    // The pod takes requests again after the kill (a new list, whatever the count had reached).
    log.length = 0;
    const again = new FakeLeg("again", log);
    rt.enter(p, again);
    expect((p.inside as PodLeg).next).toBe(again);
    rt.resetAll(p);
    expect(log).toEqual(["reset again"]);
  });

  // A head lives until HEAD_RENEWAL more requests entered its pod (~17 simulated minutes in the
  // chain-1000 bench at 1 request a second): holding the first leg's responder kept that request's
  // whole chain of calls, one hop per service, alive as long (docs/performance.md, Goal 4, session 24
  // `hop12`: 999 hops, ~1 MB). The head an InboundLeg makes holds nothing of the request's caller.
  it("the head an InboundLeg makes for its pod's list does not hold the leg's responder", () => {
    const rt = inbound();
    const p = pod();
    const responder: Responder = { onResponse() {} };
    const req = { target: {} } as unknown as OutgoingRequest;
    const origin = { pod: null, workload: "w", namespace: "n" } as Origin;
    const leg = new InboundLeg(rt, p, req, responder, null, 1.5, origin, 9080, InboundLeg.stateOf(true, true, 0));
    rt.enter(p, leg);
    const head = p.inside as PodLeg;
    expect(head).not.toBe(leg);
    expect(head.next).toBe(leg);
    expect(Object.values(leg)).toContain(responder);
    expect(Object.values(head)).not.toContain(responder);
  });
});
