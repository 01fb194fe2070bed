// `proxy-config -o json` prints Envoy's own resources, as istioctl does (protobuf JSON: each field's
// lowerCamelCase json_name). Every key it prints must be a field of the Envoy message at that place.
// The field lists below are Envoy's v3 proto field names (snake_case, as in the .proto files), turned
// into JSON names by protobuf's rule; opaque places (typed_config Any, filter_metadata Struct) are
// skipped past their "@type".
// https://github.com/envoyproxy/envoy/blob/main/api/envoy/config/route/v3/route.proto,
// route/v3/route_components.proto, cluster/v3/cluster.proto, cluster/v3/circuit_breaker.proto,
// cluster/v3/outlier_detection.proto, endpoint/v3/endpoint.proto, endpoint/v3/endpoint_components.proto,
// listener/v3/listener.proto, listener/v3/listener_components.proto, core/v3/address.proto,
// core/v3/config_source.proto, type/matcher/v3/string.proto, type/v3/percent.proto
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { meshsimAll, type CliResult } from "../acceptance/meshsim-cli.js";

/** protobuf's json_name: snake_case → lowerCamelCase (a digit run stays as is: consecutive_5xx → consecutive5xx). */
const json = (f: string) => f.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

type Schema = Record<string, Record<string, string | null>>;
// message → field → message of its value (null: a scalar, enum, Duration, or a repeated scalar).
const PROTO: Schema = {
  RouteConfiguration: { name: null, virtual_hosts: "VirtualHost", validate_clusters: null },
  VirtualHost: { name: null, domains: null, routes: "Route", include_request_attempt_count: null },
  Route: { name: null, match: "RouteMatch", route: "RouteAction", redirect: "RedirectAction", direct_response: "DirectResponseAction", decorator: "Decorator", typed_per_filter_config: "AnyMap", metadata: "Metadata" },
  RouteMatch: { prefix: null, path: null, path_separated_prefix: null, safe_regex: "RegexMatcher", case_sensitive: null, headers: "HeaderMatcher", query_parameters: "QueryParameterMatcher" },
  HeaderMatcher: { name: null, string_match: "StringMatcher", present_match: null, invert_match: null },
  QueryParameterMatcher: { name: null, string_match: "StringMatcher", present_match: null },
  StringMatcher: { exact: null, prefix: null, safe_regex: "RegexMatcher", ignore_case: null },
  RegexMatcher: { regex: null },
  RouteAction: { cluster: null, weighted_clusters: "WeightedCluster", timeout: null, retry_policy: "RetryPolicy", request_mirror_policies: "RequestMirrorPolicy", prefix_rewrite: null, host_rewrite_literal: null, cluster_not_found_response_code: null },
  WeightedCluster: { clusters: "ClusterWeight" },
  ClusterWeight: { name: null, weight: null },
  RetryPolicy: { retry_on: null, num_retries: null, per_try_timeout: null, retry_host_predicate: "TypedExtension", host_selection_retry_max_attempts: null, retriable_status_codes: null, retry_back_off: "RetryBackOff" },
  RetryBackOff: { base_interval: null, max_interval: null },
  RequestMirrorPolicy: { cluster: null, runtime_fraction: "RuntimeFractionalPercent", trace_sampled: null },
  RuntimeFractionalPercent: { default_value: "FractionalPercent" },
  FractionalPercent: { numerator: null, denominator: null },
  RedirectAction: { scheme_redirect: null, host_redirect: null, port_redirect: null, path_redirect: null, prefix_rewrite: null, response_code: null },
  DirectResponseAction: { status: null },
  Decorator: { operation: null },
  TypedExtension: { name: null, typed_config: "Any" },
  Cluster: {
    name: null, type: null, eds_cluster_config: "EdsClusterConfig", connect_timeout: null, lb_policy: null, circuit_breakers: "CircuitBreakers",
    outlier_detection: "OutlierDetection", common_lb_config: "CommonLbConfig", transport_socket: "TypedExtension", transport_socket_matches: "TransportSocketMatch",
    typed_extension_protocol_options: "AnyMap", metadata: "Metadata", load_assignment: "ClusterLoadAssignment",
  },
  EdsClusterConfig: { eds_config: "ConfigSource", service_name: null },
  ConfigSource: { ads: "Empty", initial_fetch_timeout: null, resource_api_version: null },
  Empty: {},
  CircuitBreakers: { thresholds: "Thresholds" },
  Thresholds: { max_connections: null, max_pending_requests: null, max_requests: null, max_retries: null, track_remaining: null },
  OutlierDetection: { consecutive_5xx: null, interval: null, base_ejection_time: null, max_ejection_percent: null, enforcing_consecutive_5xx: null, enforcing_success_rate: null, consecutive_gateway_failure: null, enforcing_consecutive_gateway_failure: null },
  CommonLbConfig: { healthy_panic_threshold: "Percent" },
  Percent: { value: null },
  TransportSocketMatch: { name: null, match: "Struct", transport_socket: "TypedExtension" },
  ClusterLoadAssignment: { cluster_name: null, endpoints: "LocalityLbEndpoints" },
  LocalityLbEndpoints: { locality: "Locality", lb_endpoints: "LbEndpoint", load_balancing_weight: null },
  Locality: { region: null, zone: null, sub_zone: null },
  LbEndpoint: { endpoint: "Endpoint", health_status: null, load_balancing_weight: null },
  Endpoint: { address: "Address" },
  Address: { socket_address: "SocketAddress" },
  SocketAddress: { address: null, port_value: null },
  Listener: { name: null, address: "Address", filter_chains: "FilterChain", use_original_dst: null, traffic_direction: null, bind_to_port: null, default_filter_chain: "FilterChain" },
  FilterChain: { name: null, filters: "TypedExtension" },
  // admin/v3/config_dump_shared.proto, extensions/transport_sockets/tls/v3/secret.proto, common.proto,
  // core/v3/base.proto (DataSource), admin/v3/certs.proto (CertificateDetails, SubjectAlternateName).
  SecretsConfigDump: { static_secrets: "StaticSecret", dynamic_active_secrets: "DynamicSecret", dynamic_warming_secrets: "DynamicSecret" },
  // cert_chain and ca_cert are meshsim's additions (it holds no PEM bytes): /certs's own field names
  // (admin/v3/certs.proto Certificate), carrying what Envoy decodes from the bytes.
  DynamicSecret: { name: null, version_info: null, last_updated: null, secret: "Secret", error_state: null, client_status: null, cert_chain: "CertificateDetails", ca_cert: "CertificateDetails" },
  StaticSecret: { name: null, last_updated: null, secret: "Secret" },
  Secret: { "@type": null, name: null, tls_certificate: "TlsCertificate", validation_context: "CertificateValidationContext", session_ticket_keys: null, generic_secret: null },
  TlsCertificate: { certificate_chain: "DataSource", private_key: "DataSource" },
  CertificateValidationContext: { trusted_ca: "DataSource" },
  DataSource: { filename: null, inline_bytes: null, inline_string: null, environment_variable: null },
  CertificateDetails: { path: null, serial_number: null, subject_alt_names: "SubjectAlternateName", days_until_expiration: null, valid_from: null, expiration_time: null },
  SubjectAlternateName: { dns: null, uri: null, ip_address: null },
};

/** Check every key of `v` against message `m`; returns the offending paths. */
function check(v: unknown, m: string, at: string, bad: string[]): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => check(x, m, `${at}[${i}]`, bad));
    return;
  }
  if (m === "Any" || m === "Struct" || m === "Metadata") return; // opaque: google.protobuf.Any / Struct
  if (m === "AnyMap") {
    for (const [k, x] of Object.entries(v as object)) {
      if (typeof (x as { "@type"?: unknown })["@type"] !== "string") bad.push(`${at}.${k}: no @type`);
    }
    return;
  }
  const fields = PROTO[m]!;
  const byJson = new Map(Object.entries(fields).map(([f, t]) => [json(f), t]));
  for (const [k, x] of Object.entries(v as object)) {
    if (!byJson.has(k)) {
      bad.push(`${at}.${k} is not a field of ${m}`);
      continue;
    }
    const t = byJson.get(k)!;
    if (t !== null) check(x, t, `${at}.${k}`, bad);
  }
}

const SCENARIOS = path.resolve(import.meta.dirname, "../../scenarios");
const RUNS: [string, string, string, string][] = [
  ["routes", "RouteConfiguration", "productpage-v1-0", "bookinfo/request-routing.yaml"],
  ["routes", "RouteConfiguration", "reviews-v2-0", "bookinfo/fault-injection-abort.yaml"],
  // Gateway API routes (gateway semantics): path_separated_prefix, cluster_not_found_response_code.
  ["routes", "RouteConfiguration", "deploy/bookinfo-gateway-istio", "bookinfo/gateway-api-ingress.yaml"],
  ["routes", "RouteConfiguration", "productpage-v1-0", "bookinfo/gateway-api-traffic-shifting.yaml"],
  ["clusters", "Cluster", "productpage-v1-0", "bookinfo/request-routing.yaml"],
  ["clusters", "Cluster", "sleep-0.foo", "security/egress-endpoints.yaml"],
  ["clusters", "Cluster", "deploy/fortio-deploy", "resilience/circuit-breaking-c2.yaml"],
  ["endpoints", "ClusterLoadAssignment", "sleep-0.foo", "security/egress-endpoints.yaml"],
  ["endpoints", "ClusterLoadAssignment", "productpage-v1-0", "bookinfo/request-routing.yaml"],
  ["listeners", "Listener", "productpage-v1-0", "bookinfo/request-routing.yaml"],
];
const results: CliResult[] = [];
beforeAll(async () => {
  results.push(...await meshsimAll(RUNS.map(([k, , pod, f]) => ["proxy-config", k, pod, path.join(SCENARIOS, f), "--at", "40s", "-o", "json"])));
}, 120_000);

describe("proxy-config -o json uses Envoy's field names", () => {
  it.each(RUNS.map((r, i) => [...r, i] as const))("%s of %s (%s, %s)", (_k, message, _pod, _f, i) => {
    const r = results[i]!;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as unknown[];
    expect(out.length).toBeGreaterThan(0);
    const bad: string[] = [];
    check(out, message, message, bad);
    expect(bad).toEqual([]);
  });

  it("secrets: Envoy's SecretsConfigDump (default and ROOTCA active, the private key redacted)", async () => {
    const [r] = await meshsimAll([["proxy-config", "secrets", "productpage-v1-0", path.join(SCENARIOS, "bookinfo/request-routing.yaml"), "--at", "40s", "-o", "json"]]);
    expect(r!.code).toBe(0);
    const out = JSON.parse(r!.stdout) as { dynamicActiveSecrets: { name: string; secret: { tlsCertificate?: { privateKey: { inlineBytes: string } } } }[] };
    expect(out.dynamicActiveSecrets.map((s) => s.name)).toEqual(["default", "ROOTCA"]);
    expect(Buffer.from(out.dynamicActiveSecrets[0]!.secret.tlsCertificate!.privateKey.inlineBytes, "base64").toString()).toBe("[redacted]");
    const bad: string[] = [];
    check(out, "SecretsConfigDump", "SecretsConfigDump", bad);
    expect(bad).toEqual([]);
  }, 60_000);

  it("the schema check itself rejects a row-shaped (non-Envoy) object", () => {
    const bad: string[] = [];
    check([{ name: "9080", virtualHost: "x", match: "default" }], "RouteConfiguration", "RouteConfiguration", bad);
    expect(bad).toEqual(["RouteConfiguration[0].virtualHost is not a field of RouteConfiguration", "RouteConfiguration[0].match is not a field of RouteConfiguration"]);
  });
});
