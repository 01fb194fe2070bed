// meshsim's pure data plane, as a library: what an Envoy sidecar decides under Istio config — no
// clock, no event loop. Property-based tests import it from the package root:
//   import { matchHttpRoutes, pickDestination, shouldRetry } from "meshsim";
export type * from "./api/networking.js";
export type * from "./api/security.js";
export * from "./route/index.js";
export * from "./lb/index.js";
export * from "./destination-rule.js";
export * from "./pool-limits.js";
export * from "./upstream-pool.js";
export * from "./outlier-detector.js";
export * from "./security/index.js";
export * from "./interception/iptables.js";
export type * from "./config/virtual-host.js";
export type * from "./config/cluster.js";
export type * from "./config/cluster-load-assignment.js";
export type * from "./config/listener.js";
