// One request of a load generator. A generator's calls have no timeout and no retries of their own
// (load-generator.ts always called AppCalls.start with none), so this is an AppCall (app-call.ts)
// without the timer, the retry and attempt counts and the exchange kept for abandoning: a smaller
// record per request, answered straight to its owner.
import type { Origin, OutgoingRequest, Responder, Transport } from "../transport.js";

/** Who hears a load generator's answer. */
export interface ClientCallOwner {
  onCallDone(call: ClientCall): void;
}

export class ClientCall implements Responder {
  /** The answer's status; 0: no HTTP response (a reset, a refused connection). */
  status = 0;
  flags = "-";
  /** Response body bytes. */
  bytes = 0;
  /** Answered already: a second answer is ignored, as AppCall ignores one once it stopped waiting. */
  private answered = false;

  constructor(
    readonly owner: ClientCallOwner,
    readonly origin: Origin,
    readonly req: OutgoingRequest,
    /** The client connection it goes out on (-1: not pinned). */
    readonly conn: number,
    readonly startMs: number,
  ) {}

  /** Send `req` from `origin` over `transport`; the answer may come back before this returns. */
  static send(transport: Transport, owner: ClientCallOwner, origin: Origin, req: OutgoingRequest, conn: number, startMs: number): void {
    transport.send(origin, req, new ClientCall(owner, origin, req, conn, startMs), conn);
  }

  onResponse(status: number, flags: string, bytes = 0): void {
    if (this.answered) return;
    this.answered = true;
    this.status = status;
    this.flags = flags;
    this.bytes = bytes;
    this.owner.onCallDone(this);
  }
}
