// Every default the scenario loader fills in, in one place, each with where it comes from.
// Kubernetes/Istio values are the real ones (see shared/reference/semantics.md); meshsim's own are
// calibrated against published figures, as noted.
import type { DistributionSpec } from "../engine/distributions/spec.js";

export const DEFAULTS = {
  /** Kubernetes: a resource without metadata.namespace lives in `default`. */
  namespace: "default",
  /** Istio's root namespace (meshConfig.rootNamespace default), where mesh-wide policy lives. */
  rootNamespace: "istio-system",

  service: {
    /** Kubernetes ServicePort.protocol default. */
    protocol: "TCP" as const,
  },
  deployment: {
    /** Kubernetes DeploymentSpec.replicas default. */
    replicas: 1,
    /** Kubernetes PodSpec.serviceAccountName: the namespace's `default` account. */
    serviceAccountName: "default",
    /** Kubernetes PodSpec.terminationGracePeriodSeconds default (30 s). */
    terminationGracePeriodMs: 30_000,
    /** Kubernetes Probe defaults: initialDelaySeconds 0, periodSeconds 10, successThreshold 1. */
    readinessProbe: { initialDelayMs: 0, periodMs: 10_000, successThreshold: 1 },
    /** Istio ProxyConfig.holdApplicationUntilProxyStarts default. */
    holdApplicationUntilProxyStarts: false,
    /** Istio ProxyConfig.terminationDrainDuration default (5 s). */
    terminationDrainMs: 5000,
    /** apps/v1 DeploymentStrategy defaults: RollingUpdate, maxSurge and maxUnavailable 25 %, minReadySeconds 0. */
    strategy: {
      type: "RollingUpdate" as const,
      maxSurge: { value: 25, percent: true },
      maxUnavailable: { value: 25, percent: true },
      minReadyMs: 0,
    },
  },
  kubernetes: {
    /** kube-controller-manager --node-monitor-grace-period: how long an unreachable node's pods stay
     * Ready, and so endpoints. 50 s since Kubernetes 1.32 (40 s before): kubernetes/kubernetes#126287,
     * pkg/controller/nodelifecycle/config/v1alpha1/defaults.go. */
    nodeMonitorGracePeriodMs: 50_000,
  },
  /** Istio HTTPRetry.attempts when a `retries` block omits it (proto zero value: no retries). */
  retryAttempts: 0,
  /** Istio AuthorizationPolicy.action default. */
  authorizationAction: "ALLOW" as const,

  simulation: {
    /** meshsim: fixed seed so runs are reproducible by default. */
    seed: 1,
    /** meshsim: one simulated minute. */
    durationMs: 60_000,
    /** meshsim: no warm-up excluded unless asked. */
    warmupMs: 0,
  },
  mesh: {
    /** meshsim: Istio's classic data-plane mode. */
    mode: "sidecar" as const,
    /** Istio MeshConfig.outboundTrafficPolicy.mode default. */
    outboundTrafficPolicy: "ALLOW_ANY" as const,
    proxy: {
      // Latency, CPU per request and memory come from the calibration profile
      // (proxy/resources/calibration-profile.ts, default istio-1.24: Istio's latest published figures).
      /** meshsim: pilot-agent and Envoy start and get their first config from istiod in about a
       * second (Istio publishes no figure; its 1 s startupProbe period then decides readiness). */
      startupTime: { dist: "constant", value: 1000 } as DistributionSpec,
    },
    controlPlane: {
      /** Istio PILOT_DEBOUNCE_AFTER default. */
      debounceAfterMs: 100,
      /** Istio PILOT_DEBOUNCE_MAX default. */
      debounceMaxMs: 10_000,
      /** Istio PILOT_PUSH_THROTTLE (fixed 100 up to 1.20; 1.21+ auto-sizes to at most 100). */
      pushThrottle: 100,
      /**
       * Istio PILOT_MAX_REQUESTS_PER_SECOND: new xDS streams istiod admits per second (25 up to 1.20;
       * 1.21+ auto-sizes to min(15 + 5·cores, 100), 25 on 2 cores). pilot/pkg/features/tuning.go
       */
      maxRequestsPerSecond: 25,
      /** meshsim: per-proxy push time; Istio publishes none, a few ms is typical of small meshes (semantics.md §8). */
      pushTime: { dist: "exponential", mean: 5 } as DistributionSpec,
      /**
       * meshsim: istiod's cost per xDS resource it generates and sends to one proxy (clusters, endpoint
       * sets, listeners, virtual hosts), on top of pushTime. 20 µs puts a full push of a ~3000-resource
       * config to 2000 proxies at PILOT_PUSH_THROTTLE 100 near 1.5 s, Airbnb's published p90
       * pilot_proxy_convergence_time for a large mesh (semantics.md §8). Istio's performance page
       * (load-test mesh of 1000 services and 2000 pods) names the number of proxies and the rate of
       * changes as istiod's drivers; the per-resource term adds config size, which Sidecar scoping cuts.
       * https://istio.io/latest/docs/ops/deployment/performance-and-scalability/#control-plane-performance
       */
      pushTimePerResourceMs: 0.02,
    },
    certificates: {
      /** Istio workload certificate TTL (SECRET_TTL / DEFAULT_WORKLOAD_CERT_TTL), semantics.md §6.4. */
      workloadTTLMs: 24 * 3_600_000,
    },
  },
  network: {
    /**
     * One-way latency between pods on different nodes of one zone (without nodes: every hop). Published
     * figures: 29 µs (Cilium, eBPF) and 51 µs (Calico, iptables) between bare-metal nodes, sockperf
     * ping-pong, which reports half the round trip (https://github.com/spidernet-io/spiderpool/blob/main/docs/concepts/io-performance.md);
     * 98–138 µs with Calico or Cilium VXLAN, 40 µs macvlan, netperf TCP_RR 1 KiB mean round trip ÷ 2
     * on 2012 Xeons (https://github.com/DaoCloud/DaoCloud-docs/blob/main/docs/en/docs/network/performance/cni-performance.md);
     * VMs of one cloud zone: 36 µs (GCP, flood ping mean round trip 0.072 ms ÷ 2,
     * http://tech.zarmory.com/2017/12/quick-test-for-gcp-inter-zone-networking.html), 130–205 µs
     * (AWS us-east-1, ping 0.26–0.41 ms, https://orensol.com/2009/05/24/network-latency-inside-and-across-amazon-ec2-availability-zones/).
     * Lognormal, median 0.085 ms, p99 0.3 ms: 98 % of draws in 24–300 µs, which spans those figures,
     * and a mean of 0.0985 ms, the 0.1 ms meshsim used before. The earlier exponential (mean 0.1 ms) had
     * no source and its mode at zero: one draw in ten under 11 µs, faster than two pods on one node.
     */
    latency: { dist: "lognormal", median: 0.085, p99: 0.3 } as DistributionSpec,
    /** meshsim: round trip to a host outside the cluster (a nearby internet service). */
    externalLatency: { dist: "exponential", mean: 20 } as DistributionSpec,
  },
  report: {
    /** meshsim: time-series resolution; null = picked from the run's length (report/report-window.ts). */
    windowMs: null as number | null,
    /** meshsim: access log off (Istio's default meshConfig.accessLogFile is empty too). */
    accessLog: false,
    /** Istio's default trace sampling is 1% (meshConfig.defaultConfig.tracing.sampling = 1.0 percent). */
    tracesSample: 0.01,
  },
  workload: {
    /** meshsim: an app with no stated limit serves every request at once. */
    concurrency: Infinity,
    /** meshsim: an app with no stated limit queues without bound. */
    queueLimit: Infinity,
    /** meshsim: thread-per-request servers (like Bookinfo's) hold a slot while waiting on calls. */
    threading: "blocking" as const,
    /** meshsim: the app itself never fails unless told to. */
    errorRate: 0,
    /** meshsim: the app listens as soon as its container runs. */
    startupTime: { dist: "constant", value: 0 } as DistributionSpec,
  },
  call: {
    /** The URL default scheme. */
    scheme: "http" as const,
    /** The URL default path. */
    path: "/",
    /** HTTP clients' default method. */
    method: "GET",
    /** meshsim: the application does not retry unless told to. */
    retries: 0,
    /** meshsim: a failed call fails the request (500), like an app without error handling. */
    onError: "fail" as const,
    /** Default port of an external host per scheme (RFC 9110). */
    externalPort: { http: 80, https: 443 },
  },
  loadGenerator: {
    /** Open-loop arrivals are a Poisson process unless `arrival: constant`. */
    arrival: "poisson" as const,
    /** Load starts at t = 0. */
    startMs: 0,
    /** fortio's -qps 0: as fast as answers come. */
    qps: 0,
    /** fortio's -timeout: 3 s (fhttp/http_client.go HTTPReqTimeOutDefaultValue). */
    timeoutMs: 3000,
  },
  timeline: {
    /** `kill: {deployment}` kills one pod. */
    killCount: 1,
    /** `kill` refuses connections at once (the pod's kernel answers RST) unless `network: blackhole`. */
    killNetwork: "refuse" as const,
    /** `crash: {deployment}` crashes one pod's app. */
    crashCount: 1,
  },
} as const;
