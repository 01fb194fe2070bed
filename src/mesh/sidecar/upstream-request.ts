// One try of a downstream request to one upstream host, as Envoy's UpstreamRequest: it waits in the
// connection pool (pending) or rides a connection, carries its per-try timer, and reports back to its
// router when the host answers, resets, or refuses. The answer crosses the network back first.
// envoyproxy/envoy source/common/router/upstream_request.h
import { OUTCOME_CONNECT_FAILURE, OUTCOME_OVERLOADED_503, OUTCOME_RESET, type AttemptOutcome } from "../../proxy/route/retry-policy.js";
import type { PoolConnection } from "../../proxy/upstream-pool.js";
import { OVERFLOWED, REFUSED } from "./inbound-router.js";
import type { Pod } from "../kube/pod.js";
import type { Responder } from "../transport.js";

/** What an upstream request needs of the router that made it. */
export interface UpstreamRequestOwner {
  /**
   * The try ended: an answer (`status` > 0) or a failure (connect failure, reset); `connectTimeout`:
   * the connect failure was the connect timer running out (Envoy's `connection_timeout` reset reason).
   */
  attemptDone(a: UpstreamRequest, outcome: AttemptOutcome, status: number, flags: string, bytes?: number, connectTimeout?: boolean): void;
  /** The client sidecar's pod: the answer's way back ends there. */
  readonly pod: Pod;
  /** The host of its live try (the router's one try at a time): where the answer comes from. */
  readonly lastHost: Pod | null;
  /** The client sidecar's outbound side: its network, its clock, and the event that runs `back()`. */
  readonly p: ReturnPath;
  /** The try has a connection: the request crosses the network to the host. */
  send(a: UpstreamRequest): void;
  /** The route's per-try timeout ran out. */
  perTryTimeout(a: UpstreamRequest): void;
  /** The pool refused the waiting try when a connection came free: max_requests was full (503 UO). */
  poolOverflow(a: UpstreamRequest): void;
}

/** The way back of an answer (mesh/sidecar/sidecar-path.ts SidecarPath). */
export interface ReturnPath {
  /** The answer of try `a` crosses the network from `host` to the client's `pod`; then `a.back()` runs. */
  returnTrip(a: UpstreamRequest, host: Pod, pod: Pod): void;
}

/** Where a try is (UpstreamRequest.state): made, waiting in the pool, on a connection, ended. */
export const TRY_MADE = 0;
/** Waiting in the pool for a connection. */
export const TRY_PENDING = 1;
/** On a connection: counted in its host's active requests. */
export const TRY_ACTIVE = 2;
/** Released (answered, failed, timed out, abandoned): a late answer is ignored. */
export const TRY_DEAD = 3;

// Every routed hop in flight holds one from its connection to its answer, so its fields are bytes a deep
// chain's requests keep across scavenges (docs/performance.md, Goal 4, session 24): the worker, the
// host and its pool id are the router's (a router has one live try at a time, its last), the per-try
// timer's FIFO the route policy's (only its index here), a retry token's holder is in the router's
// RetryState, the answer's flags are folded into `status`, where the try is is one field, and its
// send and service times are the router's, only when the access log reads them (session 27 `hop13`).
export class UpstreamRequest implements Responder {
  /** The per-try timer in the policy's FIFO (SidecarPath.perTryTimers), -1: none. */
  timer = -1;
  /** TRY_MADE, TRY_PENDING, TRY_ACTIVE or TRY_DEAD. */
  state = TRY_MADE;
  conn: PoolConnection | null = null;
  /** The answer, for back(): its status, or one of the ANSWER_* codes (its flags said more). */
  private status = 0;
  private bytes = 0;
  /** The host's index in its cluster's host list of generation `generation` when it was picked. */
  picked = -1;
  generation = -1;

  constructor(readonly rr: UpstreamRequestOwner) {}

  /** The host answered (status 0: it reset or refused the connection); the answer crosses the network back. */
  onResponse(status: number, flags: string, bytes = 0): void {
    if (this.state === TRY_DEAD) return;
    // The server sidecar's own 503 UO (its inbound cluster's circuit breaker) carries x-envoy-overloaded;
    // with no status, nothing listened (REFUSED) or the connection was reset.
    this.status = status !== 0 ? (status === 503 && flags === OVERFLOWED ? ANSWER_OVERLOADED : status) : flags === REFUSED ? ANSWER_REFUSED : ANSWER_RESET;
    this.bytes = bytes;
    // The answer crosses the network back to the client's pod. Not in a method of the router: TurboFan
    // does not inline a callee whose optimized code already inlines more than its budget (the draw and
    // the queue push), so a router method was one call more per answer (docs/performance.md, Goal 3,
    // session 22). One call for the draw and the schedule: where this is inlined into the inbound
    // leg's answer (Node 20), its budget is spent and the two were calls, each returning a boxed
    // double, the delay and the event's handle (session 29).
    const rr = this.rr;
    rr.p.returnTrip(this, rr.lastHost!, rr.pod);
  }

  back(): void {
    if (this.state === TRY_DEAD) return;
    const s = this.status;
    if (s > 0) this.rr.attemptDone(this, responseOutcome(s), s, "-", this.bytes);
    else if (s === ANSWER_OVERLOADED) this.rr.attemptDone(this, OUTCOME_OVERLOADED_503, 503, "-", this.bytes);
    // Nothing listened: connection refused, Envoy's UF (retriable as connect-failure).
    else if (s === ANSWER_REFUSED) this.rr.attemptDone(this, OUTCOME_CONNECT_FAILURE, 503, "UF");
    // The connection was reset while the request was in the pod: UC.
    else this.rr.attemptDone(this, OUTCOME_RESET, 503, "UC");
  }
}

/** UpstreamRequest.status of an answer that is not a plain status: the server sidecar's 503 UO, a refusal, a reset. */
const ANSWER_OVERLOADED = -1;
const ANSWER_REFUSED = -2;
const ANSWER_RESET = -3;

/** One shared outcome object per status, by status (an index, not a hash, per answer). */
const RESPONSE_OUTCOMES: (AttemptOutcome | undefined)[] = [];
/** The outcome of an upstream answer with this status (one shared object per status). */
function responseOutcome(status: number): AttemptOutcome {
  let o = RESPONSE_OUTCOMES[status];
  if (o === undefined) {
    o = Object.freeze({ kind: "response", status });
    RESPONSE_OUTCOMES[status] = o;
  }
  return o;
}
