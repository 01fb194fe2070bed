// %RESPONSE_CODE_DETAILS% for the outcomes meshsim models: why the response code is what it is.
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/response_code_details
// The strings are Envoy's ResponseCodeDetailValues (envoy/stream_info/stream_info.h); an upstream
// reset's reason in braces is Http::Utility::resetReasonToString with spaces made "_"
// (router.cc Filter::onUpstreamReset): a refused connection or failed TLS handshake is
// "remote_connection_failure" (older Envoy said "connection_failure"). A connect timeout reads
// "connection_timeout": the client sidecar knows it and passes it (mesh/sidecar/stream-info.ts).
const BY_FLAG: Readonly<Record<string, string>> = {
  UO: "upstream_reset_before_response_started{overflow}",
  UF: "upstream_reset_before_response_started{remote_connection_failure}",
  UC: "upstream_reset_before_response_started{connection_termination}",
  UH: "no_healthy_upstream",
  NR: "route_not_found",
  NC: "cluster_not_found",
  UT: "response_timeout",
  FI: "fault_filter_abort",
  DC: "downstream_remote_disconnect",
  UAEX: "ext_authz_denied",
};

/** `fromUpstream`: the code is an upstream's answer (Envoy's `via_upstream`). */
export function responseCodeDetails(code: number, flags: string, fromUpstream: boolean): string {
  if (fromUpstream) return "via_upstream";
  // Flags print in the order they were set, so the last one is what ended the request
  // (DI,FI → fault_filter_abort; URX,UF → UF's; UO,UF → UF's).
  const parts = flags.split(",");
  const last = parts[parts.length - 1]!;
  // A per-try timeout that used up the retries: URX then UT, and the details of the last try's
  // timer (router.cc Filter::onPerTryTimeout → UpstreamPerTryTimeout); a route timeout sets no URX.
  if (last === "UT" && parts.includes("URX")) return "upstream_per_try_timeout";
  for (let i = parts.length - 1; i >= 0; i--) {
    const d = BY_FLAG[parts[i]!];
    if (d !== undefined) return d;
  }
  if (code === 403) return "rbac_access_denied_matched_policy[none]";
  if (code === 401) return "jwt_authn_access_denied{Jwt_verification_fails}";
  if (code === 0) return "upstream_reset_before_response_started{connection_termination}";
  return code === 200 ? "via_upstream" : "direct_response";
}
