// A load generator's call (src/mesh/app/client-call.ts) answers its owner as the AppCall it replaces
// did for a call without timeout or retries (src/mesh/app/app-call.ts, AppCall.onResponse and settle):
// the first answer's status, flags and bytes, once; a later answer is ignored.
import { describe, expect, it } from "vitest";
import { ClientCall } from "../../src/mesh/app/client-call.js";
import type { Origin, OutgoingRequest, Responder, Transport } from "../../src/mesh/transport.js";

const origin: Origin = { pod: null, workload: "users", namespace: "default" };
const req = { method: "GET", path: "/" } as OutgoingRequest;

function sendWith(answers: [number, string, number | undefined][], conn = -1) {
  const heard: { status: number; flags: string; bytes: number; conn: number; startMs: number }[] = [];
  const sent: { responder: Responder; conn: number }[] = [];
  const transport: Transport = {
    send(_o, _r, responder, c) {
      sent.push({ responder, conn: c });
      for (const [s, f, b] of answers) responder.onResponse(s, f, b);
      return { abandon() {} };
    },
  };
  ClientCall.send(transport, { onCallDone: (c) => heard.push({ status: c.status, flags: c.flags, bytes: c.bytes, conn: c.conn, startMs: c.startMs }) }, origin, req, conn, 12.5);
  return { heard, sent };
}

describe("ClientCall", () => {
  it("hands the owner the first answer, once, with its connection and start time", () => {
    const { heard, sent } = sendWith([[503, "UO", 19], [200, "-", 5]], 7);
    expect(sent.map((s) => s.conn)).toEqual([7]);
    expect(heard).toEqual([{ status: 503, flags: "UO", bytes: 19, conn: 7, startMs: 12.5 }]);
  });

  it("counts no bytes when the answer gives none, and 0 for no HTTP answer", () => {
    expect(sendWith([[0, "-", undefined]]).heard).toEqual([{ status: 0, flags: "-", bytes: 0, conn: -1, startMs: 12.5 }]);
  });

  it("stays silent until an answer comes", () => {
    expect(sendWith([]).heard).toEqual([]);
  });
});
