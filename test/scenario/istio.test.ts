import { describe, expect, it } from "vitest";
import { SIM, load, loadError } from "./scenario-files.js";

function vs(http: string): Record<string, string> {
  return { "main.yaml": `${SIM}---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  hosts: [a.example.com]\n  http:\n${http}` };
}
function errorsOf(files: Record<string, string>): string[] {
  return loadError(files).diagnostics.map((d) => `${d.path}: ${d.message}`);
}

describe("Istio validation rules", () => {
  // istio/istio pkg/config/validation/validation.go ValidateVirtualService ("appliesToMesh && virtualHost == \"*\"").
  it("a VirtualService bound to the mesh may not have the host *", () => {
    const star = (gateways: string) => ({ "main.yaml": `${SIM}---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v}\nspec:\n  hosts: ["*"]\n${gateways}  http:\n  - route: [{destination: {host: a}}]\n` });
    expect(errorsOf(star(""))).toEqual(["spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway"]);
    expect(errorsOf(star("  gateways: [mesh, gw]\n"))).toEqual(["spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway"]);
    expect(load(star("  gateways: [gw]\n")).virtualServices[0]!.spec.hosts).toEqual(["*"]);
  });

  it("exactly one of exact, prefix, regex in a StringMatch; regexes are RE2", () => {
    expect(errorsOf(vs("  - match: [{uri: {exact: /a, prefix: /b}}, {uri: {}}, {uri: {regex: \"a(\"}}]\n    route: [{destination: {host: a}}]\n"))).toEqual([
      "spec.http[0].match[0].uri: only one of exact, prefix, regex may be set; got exact and prefix",
      "spec.http[0].match[1].uri: one of exact, prefix, regex is required",
      "spec.http[0].match[2].uri.regex: invalid RE2 regular expression: error parsing regexp: missing closing ): `a(`",
    ]);
  });

  it("header names must be lowercase; {} means present", () => {
    expect(errorsOf(vs("  - match: [{headers: {End-User: {exact: j}}}]\n    route: [{destination: {host: a}}]\n"))).toEqual([
      "spec.http[0].match[0].headers.End-User: header names must be lowercase",
    ]);
    const s = load(vs("  - match: [{headers: {x-a: {}}, withoutHeaders: {x-b: {prefix: p}}}]\n    route: [{destination: {host: a}}]\n"));
    expect(s.virtualServices[0]!.spec.http![0]!.match).toEqual([{ headers: { "x-a": {} }, withoutHeaders: { "x-b": { prefix: "p" } } }]);
  });

  it("only one of route, redirect, directResponse, delegate; rewrite not with redirect", () => {
    expect(errorsOf(vs("  - route: [{destination: {host: a}}]\n    directResponse: {status: 503}\n  - rewrite: {uri: /}\n    redirect: {uri: /x}\n  - name: nothing\n"))).toEqual([
      "spec.http[0]: only one of route, redirect, directResponse, delegate may be set; got route and directResponse",
      "spec.http[1].rewrite: rewrite cannot be used with redirect",
      "spec.http[2]: one of route, redirect, directResponse or delegate is required",
    ]);
  });

  it("weights are >= 0 and several destinations need a positive total (sum need not be 100)", () => {
    expect(errorsOf(vs("  - route: [{destination: {host: a}, weight: -1}]\n  - route: [{destination: {host: a}, weight: 0}, {destination: {host: b}}]\n"))).toEqual([
      "spec.http[0].route[0].weight: must be >= 0, got -1",
      "spec.http[1].route: total destination weight must be > 0 when there are several destinations",
    ]);
    const s = load(vs("  - route: [{destination: {host: a}, weight: 3}, {destination: {host: b, subset: v2, port: {number: 80}}, weight: 1}]\n"));
    expect(s.virtualServices[0]!.spec.http![0]!.route).toEqual([
      { destination: { host: "a" }, weight: 3 },
      { destination: { host: "b", subset: "v2", port: { number: 80 } }, weight: 1 },
    ]);
  });

  it("percentages are 0..100, abort codes 200..599, retryOn tokens known", () => {
    expect(errorsOf(vs(`  - route: [{destination: {host: a}}]
    fault: {abort: {httpStatus: 700, percentage: {value: 101}}}
    retries: {attempts: 1, retryOn: "5xx,bogus"}
`))).toEqual([
      "spec.http[0].fault.abort.httpStatus: must be <= 599, got 700",
      "spec.http[0].fault.abort.percentage.value: must be <= 100, got 101",
      'spec.http[0].retries.retryOn: "bogus" is not a valid retryOn policy',
    ]);
  });

  it("converts faults, mirrors, redirects and direct responses", () => {
    const s = load(vs(`  - route: [{destination: {host: a}}]
    fault: {abort: {httpStatus: 503, percentage: {value: 50}}, delay: {fixedDelay: 1m30s, percent: 10}}
    mirror: {host: b}
    mirrorPercentage: {value: 5.5}
    retries: {attempts: 3, backoff: 50ms, retryOn: gateway-error}
  - redirect: {uri: /new, redirectCode: 302}
  - directResponse: {status: 418, body: {string: teapot}}
`));
    const [r0, r1, r2] = s.virtualServices[0]!.spec.http!;
    expect(r0!.fault).toEqual({ abort: { httpStatus: 503, percentage: { value: 50 } }, delay: { fixedDelayMs: 90_000, percent: 10 } });
    expect(r0!.mirror).toEqual({ host: "b" });
    expect(r0!.mirrorPercentage).toEqual({ value: 5.5 });
    expect(r0!.retries).toEqual({ attempts: 3, backoffMs: 50, retryOn: "gateway-error" });
    expect(r1!.redirect).toEqual({ uri: "/new", redirectCode: 302 });
    expect(r2!.directResponse).toEqual({ status: 418, body: { string: "teapot" } });
  });

  // istio/istio route.go MirrorPercent: the deprecated integer mirrorPercent still sets the share
  // when mirrorPercentage is absent (0 ⇒ no mirroring); validation warns and caps it at 100.
  // meshsim used to ignore it, mirroring 100 %.
  it("deprecated mirrorPercent: honoured with a warning unless mirrorPercentage is set", () => {
    const s = load(vs(`  - route: [{destination: {host: a}}]
    mirror: {host: b}
    mirrorPercent: 10
  - route: [{destination: {host: a}}]
    mirror: {host: b}
    mirrorPercent: 0
  - route: [{destination: {host: a}}]
    mirror: {host: b}
    mirrorPercentage: {value: 2.5}
    mirror_percent: 50
`));
    const [r0, r1, r2] = s.virtualServices[0]!.spec.http!;
    expect(r0!.mirrorPercentage).toEqual({ value: 10 });
    expect(r1!.mirrorPercentage).toEqual({ value: 0 });
    expect(r2!.mirrorPercentage).toEqual({ value: 2.5 });
    expect(s.warnings.map((w) => w.message)).toEqual([
      'using deprecated setting "mirrorPercent", use "mirrorPercentage" instead',
      'using deprecated setting "mirrorPercent", use "mirrorPercentage" instead',
      'using deprecated setting "mirrorPercent", use "mirrorPercentage" instead',
    ]);
    expect(errorsOf(vs("  - route: [{destination: {host: a}}]\n    mirror: {host: b}\n    mirrorPercent: 101\n"))).toEqual([
      "spec.http[0].mirrorPercent: must be <= 100, got 101",
    ]);
  });

  it("DestinationRule: every duration becomes ms; one load-balancer policy", () => {
    const s = load({
      "main.yaml": `${SIM}---
apiVersion: networking.istio.io/v1beta1
kind: DestinationRule
metadata: {name: d}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer:
      consistentHash: {httpCookie: {name: user, ttl: 1h}}
    connectionPool:
      tcp: {connectTimeout: 1s, idleTimeout: 10m, maxConnectionDuration: 1h}
      http: {idleTimeout: 30s, maxRetries: 3, h2UpgradePolicy: UPGRADE}
    outlierDetection: {interval: 10s, baseEjectionTime: 30s}
    tls: {mode: ISTIO_MUTUAL}
    retryBudget: {percent: 25, minRetryConcurrency: 5}
    portLevelSettings:
    - port: {number: 9080}
      loadBalancer: {simple: ROUND_ROBIN}
`,
    });
    expect(s.destinationRules[0]!.spec.trafficPolicy).toEqual({
      loadBalancer: { consistentHash: { httpCookie: { name: "user", ttlMs: 3_600_000 } } },
      connectionPool: {
        tcp: { connectTimeoutMs: 1000, idleTimeoutMs: 600_000, maxConnectionDurationMs: 3_600_000 },
        http: { idleTimeoutMs: 30_000, maxRetries: 3, h2UpgradePolicy: "UPGRADE" },
      },
      outlierDetection: { intervalMs: 10_000, baseEjectionTimeMs: 30_000 },
      tls: { mode: "ISTIO_MUTUAL" },
      retryBudget: { percent: 25, minRetryConcurrency: 5 },
      portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: "ROUND_ROBIN" } }],
    });
    expect(s.warnings).toEqual([]);
    expect(errorsOf({
      "main.yaml": `${SIM}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec:\n  host: r\n  trafficPolicy: {loadBalancer: {simple: RANDOM, consistentHash: {useSourceIp: true}}}\n`,
    })).toEqual(["spec.trafficPolicy.loadBalancer: only one of simple, consistentHash may be set; got simple and consistentHash"]);
  });

  // istio/istio pkg/config/validation/validation.go validateOutlierDetection: the webhook rejects
  // consecutiveLocalOriginFailures without splitExternalLocalOriginErrors (an error, not a warning).
  it("DestinationRule outlierDetection: consecutiveLocalOriginFailures needs splitExternalLocalOriginErrors", () => {
    const dr = (od: string) => ({
      "main.yaml": `${SIM}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec:\n  host: r\n  trafficPolicy: {outlierDetection: ${od}}\n`,
    });
    expect(errorsOf(dr("{consecutiveLocalOriginFailures: 3}"))).toEqual([
      "spec.trafficPolicy.outlierDetection.consecutiveLocalOriginFailures: outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false",
    ]);
    expect(errorsOf(dr("{consecutiveLocalOriginFailures: 3, splitExternalLocalOriginErrors: false}"))).toHaveLength(1);
    expect(load(dr("{consecutiveLocalOriginFailures: 0}")).destinationRules[0]!.spec.trafficPolicy!.outlierDetection).toEqual({ consecutiveLocalOriginFailures: 0 });
    expect(load(dr("{consecutiveLocalOriginFailures: 3, splitExternalLocalOriginErrors: true}")).destinationRules[0]!.spec.trafficPolicy!.outlierDetection)
      .toEqual({ consecutiveLocalOriginFailures: 3, splitExternalLocalOriginErrors: true });
  });
  // agent.ValidateDuration (istio/istio pkg/config/validation/agent/validation.go): ≥ 1 ms, whole ms.
  it("DestinationRule outlierDetection: interval and baseEjectionTime at least 1ms, in whole ms", () => {
    const dr = (od: string) => ({
      "main.yaml": `${SIM}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec:\n  host: r\n  trafficPolicy: {outlierDetection: ${od}}\n`,
    });
    expect(errorsOf(dr("{interval: 0s, baseEjectionTime: 1500us}"))).toEqual([
      "spec.trafficPolicy.outlierDetection.interval: duration must be greater than 1ms",
      "spec.trafficPolicy.outlierDetection.baseEjectionTime: only durations to ms precision are supported",
    ]);
    expect(load(dr("{interval: 1ms, baseEjectionTime: 1.5s}")).destinationRules[0]!.spec.trafficPolicy!.outlierDetection)
      .toEqual({ intervalMs: 1, baseEjectionTimeMs: 1500 });
  });

  // istio/istio cluster_traffic_policy.go: `warmup` is read before the deprecated
  // warmupDurationSecs and carries aggression and minimumPercent to Envoy's slow_start_config
  // (setWarmup); validation.go: duration required, minimumPercent ≤ 100, aggression > 0.
  it("DestinationRule warmup: wins over warmupDurationSecs, keeps aggression and minimumPercent", () => {
    const dr = (lb: string) => ({
      "main.yaml": `${SIM}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec:\n  host: r\n  trafficPolicy: {loadBalancer: ${lb}}\n`,
    });
    const s = load(dr("{simple: ROUND_ROBIN, warmupDurationSecs: 10s, warmup: {duration: 60s, aggression: 2, minimumPercent: 25}}"));
    expect(s.destinationRules[0]!.spec.trafficPolicy!.loadBalancer).toEqual({
      simple: "ROUND_ROBIN", warmupDurationSecs: 60, warmupAggression: 2, warmupMinimumPercent: 25,
    });
    expect(s.warnings).toEqual([]);
    expect(errorsOf(dr("{warmup: {aggression: 0, minimumPercent: 101}}"))).toEqual([
      "spec.trafficPolicy.loadBalancer.warmup.duration: is required",
      "spec.trafficPolicy.loadBalancer.warmup.aggression: must be > 0, got 0",
      "spec.trafficPolicy.loadBalancer.warmup.minimumPercent: must be <= 100, got 101",
    ]);
  });

  it("security kinds: portLevelMtls needs a selector; serviceAccounts are read as they are", () => {
    expect(errorsOf({
      "main.yaml": `${SIM}---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec: {portLevelMtls: {8080: {mode: DISABLE}}}\n`,
    })).toEqual(["spec.portLevelMtls: portLevelMtls requires a selector"]);
    const s = load({
      "main.yaml": `${SIM}---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a, namespace: shop}
spec:
  selector: {matchLabels: {app: reviews}}
  action: DENY
  rules:
  - from: [{source: {serviceAccounts: [shop/sleep, ratings], trustDomains: ["*.corp"]}}]
    to: [{operation: {methods: [POST], paths: ["/admin*"]}}]
    when: [{key: "request.headers[x-token]", notValues: [guest]}]
`,
    });
    expect(s.authorizationPolicies[0]!.spec).toEqual({
      selector: { matchLabels: { app: "reviews" } },
      action: "DENY",
      rules: [{
        from: [{ source: { serviceAccounts: ["shop/sleep", "ratings"], trustDomains: ["*.corp"] } }],
        to: [{ operation: { methods: ["POST"], paths: ["/admin*"] } }],
        when: [{ key: "request.headers[x-token]", notValues: ["guest"] }],
      }],
    });
    // istio/istio pkg/config/validation/validation.go ValidateAuthorizationPolicy, security.go
    // CheckServiceAccount / CheckTrustDomainValues.
    const ap = (source: string) => ({ "main.yaml": `${SIM}---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {rules: [{from: [{source: ${source}}]}]}\n` });
    expect(errorsOf(ap("{serviceAccounts: [shop/sleep], namespaces: [dev]}"))).toEqual([
      "spec.rules[0].from[0].source.serviceAccounts: cannot set serviceAccounts with namespaces or principals",
    ]);
    expect(errorsOf(ap("{serviceAccounts: [\"shop/*\", a/b/c]}"))).toHaveLength(2);
    expect(errorsOf(ap("{trustDomains: [\"a*b\", x/y]}"))).toHaveLength(2);
    // security.go ValidateIPs / ValidatePorts (Go netip and ParseUint: "08080" is port 8080).
    expect(errorsOf(ap("{ipBlocks: [10.0.0.0/33, 10.1.2.3, \"2001:db8::/32\", bogus], notRemoteIpBlocks: [\"\"]}"))).toEqual([
      "spec.rules[0].from[0].source.ipBlocks: bad IP address or CIDR range \"10.0.0.0/33\"",
      "spec.rules[0].from[0].source.ipBlocks: bad IP address or CIDR range \"bogus\"",
      "spec.rules[0].from[0].source.notRemoteIpBlocks: empty value not allowed, found in notRemoteIpBlocks",
    ]);
    const op = (o: string) => ({ "main.yaml": `${SIM}---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {rules: [{to: [{operation: ${o}}], when: [{key: destination.port, values: [\"x\"]}]}]}\n` });
    expect(errorsOf(op("{ports: [\"08080\", \"65536\"]}"))).toEqual([
      "spec.rules[0].to[0].operation.ports: bad port \"65536\"",
      "spec.rules[0].when[0].values: bad port \"x\"",
    ]);
  });

  it("AuthorizationPolicy shapes Istio's webhook rejects are load errors (validation.go ValidateAuthorizationPolicy)", () => {
    const ap = (spec: string) => ({ "main.yaml": `${SIM}---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: ${spec}\n` });
    expect(errorsOf(ap("{rules: [{from: [{source: {}}], to: [{operation: {}}]}]}"))).toEqual([
      "spec.rules[0].from[0].source: `from.source` must not be empty",
      "spec.rules[0].to[0].operation: `to.operation` must not be empty",
    ]);
    expect(errorsOf(ap("{selector: {matchLabels: {app: a}}, targetRefs: [{kind: Service, group: \"\", name: a}]}"))).toEqual([
      "spec: only one of targetRefs or workloadSelector can be set",
    ]);
    expect(errorsOf(ap("{action: CUSTOM, provider: {name: ext}, rules: [{from: [{source: {principals: [a]}}], when: [{key: \"request.auth.claims[x]\", values: [y]}]}]}"))).toEqual([
      "spec.rules: rules[0]: from.principals is currently not supported with CUSTOM action",
      "spec.rules: rules[0]: request.auth.claims[x] is currently not supported with CUSTOM action",
    ]);
  });

  it("connectionPool.http.maxConcurrentStreams is read, with no warning (the HTTP/2 pool applies it)", () => {
    const s = load({ "main.yaml": `${SIM}---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec: {host: r, trafficPolicy: {connectionPool: {http: {maxConcurrentStreams: 10}}}}\n` });
    expect(s.warnings).toEqual([]);
    expect(s.destinationRules[0]!.spec.trafficPolicy!.connectionPool!.http!.maxConcurrentStreams).toBe(10);
  });

  it("DENY or CUSTOM without rules: a warning (Istio's webhook rejects it; istiod would never match it)", () => {
    const s = load({ "main.yaml": `${SIM}---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec: {action: DENY}\n` });
    expect(s.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      "spec.action: DENY without rules never matches (Istio's validation webhook rejects it); add an empty rule {} to match every request",
    ]);
    expect(s.authorizationPolicies[0]!.spec.rules).toBeUndefined();
  });

  it("Gateway, ServiceEntry and Sidecar read their fields", () => {
    const s = load({
      "main.yaml": `${SIM}---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: e}
spec:
  hosts: [httpbin.org]
  ports: [{number: 80, name: http, protocol: http}]
  location: MESH_EXTERNAL
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: istio-system}
spec:
  egress: [{hosts: ["./*", "istio-system/*"]}]
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
`,
    });
    expect(s.serviceEntries[0]!.spec).toEqual({ hosts: ["httpbin.org"], ports: [{ number: 80, name: "http", protocol: "HTTP" }], location: "MESH_EXTERNAL", resolution: "DNS" });
    expect(s.sidecars[0]!.spec).toEqual({ egress: [{ hosts: ["./*", "istio-system/*"] }], outboundTrafficPolicy: { mode: "REGISTRY_ONLY" } });
  });
});

describe("Sidecar outboundTrafficPolicy.egressProxy", () => {
  // istiod sends unknown hosts to the egressProxy (httproute.go buildCatchAllVirtualHost); meshsim does not: it says so.
  it("is warned about, not silently dropped", () => {
    const s = load({ "main.yaml": `${SIM}---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: istio-system}\nspec:\n  outboundTrafficPolicy:\n    mode: ALLOW_ANY\n    egressProxy: {host: istio-egressgateway.istio-system.svc.cluster.local, port: {number: 80}}\n` });
    expect(s.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      "spec.outboundTrafficPolicy.egressProxy: egressProxy is not modelled: unknown hosts still go out through PassthroughCluster",
    ]);
  });
});
