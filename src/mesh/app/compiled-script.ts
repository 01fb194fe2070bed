// A Workload's script bound to seeded samplers once, so serving a request only walks data.
import type { CallSpec, Step, WorkloadBehaviour } from "../../scenario/model.js";
import { callRequest } from "./call-request.js";
import type { OutgoingRequest } from "../transport.js";

export type CompiledStep =
  | { kind: "compute"; sample: () => number }
  | { kind: "call"; call: CallSpec; request: OutgoingRequest }
  | { kind: "parallel"; steps: CompiledStep[] };

export interface CompiledBehaviour {
  concurrency: number;
  queueLimit: number;
  threading: "blocking" | "async";
  errorRate: number;
  script: CompiledStep[];
  /** Response body bytes per answer; null: 0 (no draw). */
  responseSize: (() => number) | null;
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
        case "call": return { kind: "call", call: s.call, request: callRequest(s.call.to, s.call.method, s.call.requestSize ?? 0) };
        case "parallel": return { kind: "parallel", steps: compile(s.steps) };
      }
    });
  return {
    concurrency: b.concurrency,
    queueLimit: b.queueLimit,
    threading: b.threading,
    errorRate: b.errorRate,
    script: compile(b.script),
    responseSize: b.responseSize !== undefined && sizeSampler !== null ? sizeSampler(b.responseSize) : null,
  };
}
