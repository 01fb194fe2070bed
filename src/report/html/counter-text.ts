// One line on each Envoy cluster counter meshsim reports, after Envoy's cluster statistics page:
// https://www.envoyproxy.io/docs/envoy/latest/configuration/upstream/cluster_manager/cluster_stats
// (gauges are the value at the end of the run; counters are totals over the whole run).

export const COUNTER_TEXT: Readonly<Record<string, string>> = {
  upstream_cx_total: "connections opened to the cluster's hosts",
  upstream_cx_active: "gauge: connections open at the end of the run",
  upstream_cx_connect_fail: "connection attempts that failed",
  upstream_cx_destroy: "connections closed",
  upstream_cx_overflow: "times the maxConnections circuit breaker overflowed",
  upstream_rq_total: "requests sent to the cluster",
  upstream_rq_active: "gauge: requests in flight at the end of the run",
  upstream_rq_pending_total: "requests that waited for a connection",
  upstream_rq_pending_active: "gauge: requests waiting for a connection at the end of the run",
  upstream_rq_pending_overflow: "requests rejected because the pending queue (http1MaxPendingRequests) was full (UO)",
  upstream_rq_retry: "retries sent",
  upstream_rq_retry_overflow: "retries not sent because the retry budget or maxRetries circuit breaker was used up",
  upstream_rq_retry_success: "retried requests whose next try needed no retry",
  upstream_rq_retry_limit_exceeded: "retriable answers returned because the retries were used up (URX)",
  upstream_rq_timeout: "tries in flight when the route timeout fired (UT)",
  upstream_rq_per_try_timeout: "tries that hit the per-try timeout (perTryTimeout)",
  ejections_active: "gauge: hosts ejected by outlier detection at the end of the run",
  ejections_enforced_total: "ejections carried out, for any reason",
  ejections_overflow: "ejections skipped because maxEjectionPercent was reached",
  ejections_detected_consecutive_5xx: "hosts detected with consecutive 5xx (ejected or not)",
  ejections_enforced_consecutive_5xx: "ejections for consecutive 5xx",
  ejections_detected_consecutive_gateway_failure: "hosts detected with consecutive gateway failures (502, 503, 504)",
  ejections_enforced_consecutive_gateway_failure: "ejections for consecutive gateway failures",
  ejections_detected_consecutive_local_origin_failure: "hosts detected with consecutive locally originated failures (connect failure, reset)",
  ejections_enforced_consecutive_local_origin_failure: "ejections for consecutive locally originated failures",
};
