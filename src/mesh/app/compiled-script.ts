// A Workload's script bound to seeded samplers once, so serving a request only walks data.
import type { CallSpec, Step, WorkloadBehaviour } from "../../scenario/model.js";
import { callRequest } from "./call-request.js";
import { NEW_CONNECTION_PER_ATTEMPT } from "./app-call.js";
import type { OutgoingRequest } from "../transport.js";

// The choices a request's walk reads are booleans and numbers here, not the scenario's strings: a
// string the YAML parser made is not internalized, so each `=== "perCall"` was a call of V8's
// StringEqual builtin (docs/performance.md, Goal 3, session 19).
export type CompiledStep =
  | { kind: "compute"; sample: () => number }
  | {
      kind: "call";
      call: CallSpec;
      request: OutgoingRequest;
      /** `onError: fail`: a failed call fails the request (500). */
      failOnError: boolean;
      /** The call's `conn` for AppCalls.start: NEW_CONNECTION_PER_ATTEMPT for `connection: perCall`, else -1. */
      conn: number;
      /** What each call reads of `call`, copied here: a CallSpec's map depends on which optional
       *  fields its YAML gave, so reading them there was a polymorphic load per call. */
      timeoutMs: number | undefined;
      retries: number;
      forwardHeaders: readonly string[];
    }
  | { kind: "parallel"; steps: CompiledStep[] };

export interface CompiledBehaviour {
  concurrency: number;
  queueLimit: number;
  /** `threading: async` (a slot only while computing); false: blocking. */
  async: boolean;
  errorRate: number;
  script: CompiledStep[];
  /** Response body bytes per answer; null: 0 (no draw). */
  responseSize: (() => number) | null;
  /** Blocking threading and a script of exactly one compute step: its sampler (the walk's one turn,
   *  decided here once); null otherwise. */
  oneCompute: (() => number) | null;
}

export function compileBehaviour(
  b: WorkloadBehaviour,
  sampler: (spec: Extract<Step, { kind: "compute" }>["time"]) => () => number,
  sizeSampler: ((spec: NonNullable<WorkloadBehaviour["responseSize"]>) => () => number) | null = null,
): CompiledBehaviour {
  const compile = (steps: Step[]): CompiledStep[] =>
    steps.map((s) => {
      switch (s.kind) {
        case "compute": return { kind: "compute", sample: sampler(s.time) };
        case "call": return {
          kind: "call", call: s.call, request: callRequest(s.call.to, s.call.method, s.call.requestSize ?? 0),
          failOnError: s.call.onError === "fail", conn: s.call.connection === "perCall" ? NEW_CONNECTION_PER_ATTEMPT : -1,
          timeoutMs: s.call.timeoutMs, retries: s.call.retries, forwardHeaders: s.call.forwardHeaders,
        };
        case "parallel": return { kind: "parallel", steps: compile(s.steps) };
      }
    });
  const script = compile(b.script);
  const async = b.threading === "async";
  const first = script[0];
  return {
    concurrency: b.concurrency,
    queueLimit: b.queueLimit,
    async,
    errorRate: b.errorRate,
    script,
    responseSize: b.responseSize !== undefined && sizeSampler !== null ? sizeSampler(b.responseSize) : null,
    oneCompute: !async && script.length === 1 && first!.kind === "compute" ? first!.sample : null,
  };
}
