// %RESPONSE_CODE_DETAILS% for the outcomes meshsim models: why the response code is what it is.
// https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_conn_man/response_code_details
const BY_FLAG: Readonly<Record<string, string>> = {
  UO: "upstream_reset_before_response_started{overflow}",
  UF: "upstream_reset_before_response_started{connection_failure}",
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
  // Several flags: the last one is what ended the request (DI,FI → fault_filter_abort; UF,URX → UF's).
  const parts = flags.split(",");
  for (let i = parts.length - 1; i >= 0; i--) {
    const d = BY_FLAG[parts[i]!];
    if (d !== undefined) return d;
  }
  if (code === 403) return "rbac_access_denied_matched_policy[none]";
  if (code === 401) return "jwt_authn_access_denied{Jwt_verification_fails}";
  if (code === 0) return "upstream_reset_before_response_started{connection_termination}";
  return code === 200 ? "via_upstream" : "direct_response";
}
