// fast-check arbitraries for Istio security: PeerAuthentication, AuthorizationPolicy rules and the
// requests they judge, drawn from small alphabets so that generated policies and requests often meet.
// Import them (and the resource builders) to write your own properties against meshsim's security library.
import fc from "fast-check";
import type { ObjectMeta } from "../proxy/api/networking.js";
import type {
  AuthorizationPolicy,
  AuthorizationPolicySpec,
  AuthzCondition,
  AuthzOperation,
  AuthzRule,
  AuthzSource,
  MtlsMode,
  PeerAuthentication,
  PeerAuthenticationSpec,
  RequestAuthentication,
  RequestAuthenticationSpec,
} from "../proxy/api/security.js";
import type { AuthzRequest } from "../proxy/security/authorization/request.js";
import { peerIdentity, type PeerIdentity } from "../proxy/security/identity.js";
import type { WorkloadRef } from "../proxy/security/policy-scope.js";

export const ROOT_NS = "istio-system";
export const NAMESPACES = ["default", "foo", "bar"] as const;
export const SERVICE_ACCOUNTS = ["sleep", "httpbin", "admin"] as const;
export const APPS = ["httpbin", "sleep", "reviews"] as const;
export const METHODS = ["GET", "POST", "DELETE"] as const;
export const PATHS = ["/", "/ip", "/headers", "/admin/users", "/api/v1/items"] as const;
export const HOSTS = ["httpbin", "httpbin.foo:8000", "HTTPBIN.foo.svc.cluster.local"] as const;
export const PORTS = [8000, 8080, 9090] as const;
export const HEADER_NAMES = ["x-user", "x-env"] as const;
export const HEADER_VALUES = ["alice", "bob", "prod", ""] as const;
export const SOURCE_IPS = ["10.0.0.5", "10.0.1.7", "192.168.3.4"] as const;
export const ISSUERS = ["https://issuer.example", "testing@secure.istio.io"] as const;
export const SUBJECTS = ["alice", "bob"] as const;

// ---- resource builders -------------------------------------------------------------------------

export function meta(namespace: string, name: string, creationIndex = 0, annotations: Record<string, string> = {}): ObjectMeta {
  return { name, namespace, labels: {}, annotations, creationIndex };
}

export function peerAuthentication(namespace: string, name: string, spec: PeerAuthenticationSpec, creationIndex = 0): PeerAuthentication {
  return { kind: "PeerAuthentication", apiVersion: "security.istio.io/v1", metadata: meta(namespace, name, creationIndex), spec };
}

export function authorizationPolicy(namespace: string, name: string, spec: AuthorizationPolicySpec, creationIndex = 0): AuthorizationPolicy {
  return { kind: "AuthorizationPolicy", apiVersion: "security.istio.io/v1", metadata: meta(namespace, name, creationIndex), spec };
}

export function requestAuthentication(namespace: string, name: string, spec: RequestAuthenticationSpec, creationIndex = 0): RequestAuthentication {
  return { kind: "RequestAuthentication", apiVersion: "security.istio.io/v1", metadata: meta(namespace, name, creationIndex), spec };
}

/** A GET / from a plaintext caller to httpbin:8000; override what the test needs. */
export function authzRequest(over: Partial<AuthzRequest> = {}): AuthzRequest {
  return { method: "GET", path: "/", host: "httpbin", port: 8000, headers: {}, peer: undefined, sourceIp: "10.0.0.5", ...over };
}

// ---- arbitraries -------------------------------------------------------------------------------

export const workloadArb: fc.Arbitrary<WorkloadRef> = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  labels: fc.constantFrom(...APPS).map((app) => ({ app })),
});

export const peerArb: fc.Arbitrary<PeerIdentity> = fc
  .tuple(fc.constantFrom(...NAMESPACES), fc.constantFrom(...SERVICE_ACCOUNTS))
  .map(([ns, sa]) => peerIdentity(ns, sa));

/** Wildcard variants of a literal: exact, prefix "ab*", suffix "*yz", presence "*". */
function withWildcards(values: readonly string[]): fc.Arbitrary<string> {
  const lit = fc.constantFrom(...values);
  return fc.oneof(
    { weight: 4, arbitrary: lit },
    { weight: 1, arbitrary: lit.map((v) => `${v.slice(0, Math.max(1, Math.ceil(v.length / 2)))}*`) },
    { weight: 1, arbitrary: lit.map((v) => `*${v.slice(Math.floor(v.length / 2))}`) },
    { weight: 1, arbitrary: fc.constant("*") },
  );
}

const principalValueArb = withWildcards(NAMESPACES.flatMap((ns) => SERVICE_ACCOUNTS.map((sa) => `cluster.local/ns/${ns}/sa/${sa}`)));
const requestPrincipalValueArb = withWildcards(ISSUERS.flatMap((i) => SUBJECTS.map((s) => `${i}/${s}`)));
const list = <T>(a: fc.Arbitrary<T>) => fc.array(a, { minLength: 1, maxLength: 2 });

export const authzSourceArb: fc.Arbitrary<AuthzSource> = fc.record(
  {
    principals: list(principalValueArb),
    notPrincipals: list(principalValueArb),
    namespaces: list(withWildcards(NAMESPACES)),
    notNamespaces: list(withWildcards(NAMESPACES)),
    requestPrincipals: list(requestPrincipalValueArb),
    notRequestPrincipals: list(requestPrincipalValueArb),
    ipBlocks: list(fc.constantFrom("10.0.0.0/16", "10.0.1.7", "192.168.0.0/16", "0.0.0.0/0")),
    notIpBlocks: list(fc.constantFrom("10.0.0.0/24", "192.168.3.4/32")),
  },
  { requiredKeys: [] },
);

export const authzOperationArb: fc.Arbitrary<AuthzOperation> = fc.record(
  {
    hosts: list(withWildcards(HOSTS)),
    notHosts: list(withWildcards(HOSTS)),
    methods: list(withWildcards(METHODS)),
    notMethods: list(fc.constantFrom(...METHODS)),
    paths: list(fc.oneof(withWildcards(PATHS), fc.constantFrom("/api/{*}/items", "/admin/{**}"))),
    notPaths: list(withWildcards(PATHS)),
    ports: list(fc.constantFrom(...PORTS).map(String)),
    notPorts: list(fc.constantFrom(...PORTS).map(String)),
  },
  { requiredKeys: [] },
);

export const authzConditionArb: fc.Arbitrary<AuthzCondition> = fc.oneof(
  fc.record(
    { key: fc.constantFrom(...HEADER_NAMES).map((h) => `request.headers[${h}]`), values: list(withWildcards(HEADER_VALUES.filter((v) => v !== ""))) },
    { requiredKeys: ["key", "values"] },
  ),
  fc.record({ key: fc.constant("request.headers[x-user]"), notValues: list(fc.constantFrom(...HEADER_VALUES)) }),
  fc.record({ key: fc.constant("source.namespace"), values: list(withWildcards(NAMESPACES)) }),
  fc.record({ key: fc.constant("source.ip"), values: list(fc.constantFrom("10.0.0.0/16", "192.168.3.4")) }),
  fc.record({ key: fc.constant("destination.port"), values: list(fc.constantFrom(...PORTS).map(String)) }),
  fc.record({ key: fc.constant("request.auth.claims[iss]"), values: list(fc.constantFrom(...ISSUERS)) }),
);

export const authzRuleArb: fc.Arbitrary<AuthzRule> = fc.record(
  {
    from: fc.array(authzSourceArb.map((source) => ({ source })), { maxLength: 2 }),
    to: fc.array(authzOperationArb.map((operation) => ({ operation })), { maxLength: 2 }),
    when: fc.array(authzConditionArb, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const selectorArb = fc.option(fc.constantFrom(...APPS).map((app) => ({ matchLabels: { app } })), { nil: undefined });

export function authorizationPolicySpecArb(action: AuthorizationPolicySpec["action"]): fc.Arbitrary<AuthorizationPolicySpec> {
  return fc.record({ selector: selectorArb, rules: fc.array(authzRuleArb, { minLength: 0, maxLength: 3 }) }).map(({ selector, rules }) => {
    const spec: AuthorizationPolicySpec = { rules };
    if (action !== undefined) spec.action = action;
    if (selector !== undefined) spec.selector = selector;
    return spec;
  });
}

let policySeq = 0;
/** An AuthorizationPolicy of the given action in a workload namespace or the root namespace. */
export function authorizationPolicyArb(action: AuthorizationPolicySpec["action"]): fc.Arbitrary<AuthorizationPolicy> {
  return fc
    .tuple(fc.constantFrom<string>(...NAMESPACES, ROOT_NS), authorizationPolicySpecArb(action))
    .map(([ns, spec]) => authorizationPolicy(ns, `${(action ?? "allow").toLowerCase()}-${policySeq++}`, spec));
}

export const anyAuthorizationPolicyArb: fc.Arbitrary<AuthorizationPolicy> = fc.oneof(
  authorizationPolicyArb("ALLOW"),
  authorizationPolicyArb(undefined),
  authorizationPolicyArb("DENY"),
  authorizationPolicyArb("AUDIT"),
);

const jwtArb = fc.option(
  fc.tuple(fc.constantFrom(...ISSUERS), fc.constantFrom(...SUBJECTS)).map(([iss, sub]) => ({ iss, sub })),
  { nil: undefined },
);

/** A request at a workload: mTLS peer or plaintext, optional validated JWT. */
export const authzRequestArb: fc.Arbitrary<AuthzRequest> = fc
  .record({
    method: fc.constantFrom(...METHODS),
    path: fc.tuple(fc.constantFrom(...PATHS), fc.constantFrom("", "?q=1")).map(([p, q]) => p + q),
    host: fc.constantFrom(...HOSTS),
    port: fc.constantFrom(...PORTS),
    headers: fc.dictionary(fc.constantFrom(...HEADER_NAMES), fc.constantFrom(...HEADER_VALUES), { maxKeys: 2 }),
    peer: fc.option(peerArb, { nil: undefined }),
    sourceIp: fc.constantFrom(...SOURCE_IPS),
    jwt: jwtArb,
    tcp: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  })
  .map(({ jwt, tcp, ...r }) => {
    const req: AuthzRequest = { ...r };
    if (jwt !== undefined) {
      req.requestPrincipal = `${jwt.iss}/${jwt.sub}`;
      req.requestClaims = { iss: jwt.iss, sub: jwt.sub };
    }
    if (tcp === true) req.tcp = true;
    return req;
  });

export const mtlsModeArb: fc.Arbitrary<MtlsMode> = fc.constantFrom("UNSET", "DISABLE", "PERMISSIVE", "STRICT");
export const effectiveModeArb = fc.constantFrom("DISABLE" as const, "PERMISSIVE" as const, "STRICT" as const);

/** A PeerAuthentication at mesh, namespace or workload level (sometimes with port-level modes). */
export const peerAuthenticationArb: fc.Arbitrary<PeerAuthentication> = fc
  .record({
    ns: fc.constantFrom<string>(...NAMESPACES, ROOT_NS),
    selector: selectorArb,
    mode: fc.option(mtlsModeArb, { nil: undefined }),
    ports: fc.dictionary(fc.constantFrom(...PORTS).map(String), mtlsModeArb.map((mode) => ({ mode })), { maxKeys: 2 }),
    creationIndex: fc.nat(1000),
  })
  .map(({ ns, selector, mode, ports, creationIndex }) => {
    const spec: PeerAuthenticationSpec = {};
    if (selector !== undefined) {
      spec.selector = selector;
      if (Object.keys(ports).length > 0) spec.portLevelMtls = ports;
    }
    if (mode !== undefined) spec.mtls = { mode };
    return peerAuthentication(ns, `pa-${creationIndex}`, spec, creationIndex);
  });
