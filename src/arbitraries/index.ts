// `import { httpRouteArb, ... } from "meshsim/arbitraries"`: the fast-check arbitraries meshsim's own
// property tests use, for Istio config and requests drawn from small alphabets (so that generated
// matches and requests often meet). Needs fast-check (a peer dependency). docs/library-api.md lists them.
export {
  SEGMENTS, HEADER_NAMES, HEADER_VALUES, QUERY_KEYS, METHODS,
  pathArb, pathRegexArb, valueArb, stringMatchArb, uriMatchArb, valueMatchArb, httpMatchRequestArb, destinationArb,
  httpRetryArb, httpRouteArb, matchedHttpRouteArb, httpRequestArb, makeRequest,
} from "./routing.js";
export {
  REGIONS, ZONES, VERSIONS, seededSource, localityArb, hostsArb, subsetLabelsArb, simpleLbArb, connectionPoolArb,
  outlierDetectionArb, poolStepsArb, outcomeStepsArb,
} from "./lb.js";
export type { PoolStep, OutcomeStep } from "./lb.js";
export {
  ROOT_NS, NAMESPACES, SERVICE_ACCOUNTS, APPS, PATHS, HOSTS, PORTS, SOURCE_IPS, ISSUERS, SUBJECTS,
  meta, peerAuthentication, authorizationPolicy, requestAuthentication, authzRequest,
  workloadArb, peerArb, authzSourceArb, authzOperationArb, authzConditionArb, authzRuleArb, authorizationPolicySpecArb,
  authorizationPolicyArb, anyAuthorizationPolicyArb, authzRequestArb, mtlsModeArb, effectiveModeArb, peerAuthenticationArb,
} from "./security.js";
/** The security arbitraries' own alphabets (the routing ones are exported by their plain names). */
export { METHODS as SECURITY_METHODS, HEADER_NAMES as SECURITY_HEADER_NAMES, HEADER_VALUES as SECURITY_HEADER_VALUES } from "./security.js";
