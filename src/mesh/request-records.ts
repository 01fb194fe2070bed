// What a hop adds to the access log and traces (only reached when one of them is on): the request
// with its context for the next hop, and Istio's names for a pod in spans.
// https://istio.io/latest/docs/tasks/observability/distributed-tracing/overview/
import type { RequestContext } from "../telemetry/request-log.js";
import type { Span } from "../telemetry/trace-recorder.js";
import type { OriginPod, OutgoingRequest } from "./transport.js";

/** The request as the next hop receives it, carrying `ctx`. */
export function withContext(req: OutgoingRequest, ctx: RequestContext): OutgoingRequest {
  return { ...req, ctx };
}

/** Istio's span service name: canonical service (label, else `app`, else the workload) and namespace. */
export function spanServiceName(pod: OriginPod & { workload?: string }): string {
  const l = pod.labels;
  return `${l["service.istio.io/canonical-name"] ?? l["app"] ?? pod.workload ?? pod.name}.${pod.namespace}`;
}

/** Tags Istio's Envoy puts on a proxy span. */
export function tagProxySpan(
  s: Span, pod: OriginPod & { workload?: string }, req: OutgoingRequest, code: number, flags: string, cluster: string,
): void {
  const t = s.tags;
  t["component"] = "proxy";
  t["guid:x-request-id"] = req.ctx!.requestId;
  t["http.method"] = req.method;
  t["http.protocol"] = "HTTP/1.1";
  t["http.status_code"] = String(code);
  t["http.url"] = `${req.scheme}://${req.authority}${req.path}`;
  t["istio.canonical_service"] = pod.labels["service.istio.io/canonical-name"] ?? pod.labels["app"] ?? pod.workload ?? pod.name;
  t["istio.namespace"] = pod.namespace;
  t["response_flags"] = flags;
  t["upstream_cluster"] = cluster === "" ? "-" : cluster;
  if (code === 0 || code >= 500) t["error"] = "true";
}
