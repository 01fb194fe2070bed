// Client-side fault injection (Envoy fault filter, before the router): an independent coin for the
// delay and for the abort; delay first, then abort. Absent percentage ⇒ 0 % (the deprecated integer
// `percent` of a delay counts only when `percentage` is absent). An abort is a local reply: no
// upstream attempt, so no retry and no route timeout.
// https://istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPFaultInjection
// istio/istio route.go TranslateFault; https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/fault_filter
import type { HTTPFaultInjection } from "../api/networking.js";
import { ResponseFlagBit } from "../response-flags.js";

/** gRPC status names accepted by `abort.grpcStatus` (istio/istio pkg/util/grpc SupportedGRPCStatus). */
export const GRPC_STATUS_CODES: Readonly<Record<string, number>> = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10, OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
};

export interface FaultDecision {
  readonly delayed: boolean;
  /** 0 when not delayed. */
  readonly delayMs: number;
  readonly aborted: boolean;
  /** Status of the local reply (200 for a gRPC abort); 0 when not aborted. */
  readonly httpStatus: number;
  readonly grpcStatus: number | undefined;
  /** ResponseFlagBit.DI / FI bits. */
  readonly flags: number;
}

export interface CompiledFault {
  readonly hasDelay: boolean;
  readonly delayMs: number;
  /** Envoy FractionalPercent: selected when floor(u·denominator) < numerator. */
  readonly delayNumerator: number;
  readonly delayDenominator: number;
  readonly hasAbort: boolean;
  readonly abortNumerator: number;
  readonly abortDenominator: number;
  readonly abortHttpStatus: number;
  readonly abortGrpcStatus: number | undefined;
  /** The four possible decisions, prebuilt so decideFault never allocates. */
  readonly none: FaultDecision;
  readonly delayOnly: FaultDecision;
  readonly abortOnly: FaultDecision;
  readonly both: FaultDecision;
}

export const NO_FAULT: FaultDecision = Object.freeze({
  delayed: false, delayMs: 0, aborted: false, httpStatus: 0, grpcStatus: undefined, flags: 0,
});

const MILLION = 1_000_000;

/** Compile a fault block; undefined when istiod would emit no fault filter config. */
export function compileFault(f: HTTPFaultInjection | undefined): CompiledFault | undefined {
  if (f === undefined) return undefined;
  let hasDelay = false, delayMs = 0, delayNumerator = 0, delayDenominator = 100;
  if (f.delay !== undefined && typeof f.delay.fixedDelayMs === "number") {
    hasDelay = true; // exponentialDelay is not implemented by istiod (dropped)
    delayMs = f.delay.fixedDelayMs;
    if (f.delay.percentage !== undefined) {
      delayNumerator = Math.floor(f.delay.percentage.value * 10000);
      delayDenominator = MILLION;
    } else {
      delayNumerator = f.delay.percent ?? 0;
    }
  }
  let hasAbort = false, abortNumerator = 0, abortDenominator = MILLION, abortHttpStatus = 0;
  let abortGrpcStatus: number | undefined;
  if (f.abort !== undefined) {
    if (f.abort.httpStatus !== undefined) {
      hasAbort = true;
      abortHttpStatus = f.abort.httpStatus;
    } else if (f.abort.grpcStatus !== undefined && GRPC_STATUS_CODES[f.abort.grpcStatus] !== undefined) {
      hasAbort = true;
      abortHttpStatus = 200;
      abortGrpcStatus = GRPC_STATUS_CODES[f.abort.grpcStatus];
    }
    if (hasAbort && f.abort.percentage !== undefined) abortNumerator = Math.floor(f.abort.percentage.value * 10000);
  }
  if (!hasDelay && !hasAbort) return undefined;
  const delayed = { delayed: true, delayMs, flags: ResponseFlagBit.DI };
  const aborted = { aborted: true, httpStatus: abortHttpStatus, grpcStatus: abortGrpcStatus };
  return Object.freeze({
    hasDelay, delayMs, delayNumerator, delayDenominator,
    hasAbort, abortNumerator, abortDenominator, abortHttpStatus, abortGrpcStatus,
    none: NO_FAULT,
    delayOnly: Object.freeze({ ...NO_FAULT, ...delayed }),
    abortOnly: Object.freeze({ ...NO_FAULT, ...aborted, flags: ResponseFlagBit.FI }),
    both: Object.freeze({ ...NO_FAULT, ...delayed, ...aborted, flags: ResponseFlagBit.DI | ResponseFlagBit.FI }),
  });
}

const compiledCache = new WeakMap<HTTPFaultInjection, CompiledFault | undefined>();

function isCompiled(f: CompiledFault | HTTPFaultInjection): f is CompiledFault {
  return (f as CompiledFault).none !== undefined;
}

/** Envoy's runtime featureEnabled(FractionalPercent) with an injected uniform draw. */
export function fractionSelected(numerator: number, denominator: number, u: number): boolean {
  return Math.floor(u * denominator) < numerator;
}

/**
 * Decide the fault for one request from two independent uniform draws. Accepts a raw
 * HTTPFaultInjection (compiled once, cached) or a CompiledFault.
 */
export function decideFault(
  fault: CompiledFault | HTTPFaultInjection | undefined, uDelay: number, uAbort: number,
): FaultDecision {
  if (fault === undefined) return NO_FAULT;
  let c: CompiledFault | undefined;
  if (isCompiled(fault)) {
    c = fault;
  } else {
    if (!compiledCache.has(fault)) compiledCache.set(fault, compileFault(fault));
    c = compiledCache.get(fault);
    if (c === undefined) return NO_FAULT;
  }
  const d = c.hasDelay && fractionSelected(c.delayNumerator, c.delayDenominator, uDelay);
  const a = c.hasAbort && fractionSelected(c.abortNumerator, c.abortDenominator, uAbort);
  return d ? (a ? c.both : c.delayOnly) : (a ? c.abortOnly : c.none);
}
