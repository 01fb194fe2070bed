// The package entry point (`import { ... } from "meshsim"`), documented name by name in
// docs/library-api.md (API reference: `npm run docs:api` → docs/api/). Three parts:
//  - the pure data plane (proxy/index.ts): routing, load balancing, pools, outlier detection, security;
//  - Istio's own YAML read into what those functions take (parseIstioResource);
//  - loading and running whole scenarios, and the engine pieces a program needs for that.
// fast-check arbitraries for Istio config and requests are a separate entry: `meshsim/arbitraries`.
export * from "./proxy/index.js";

export { parseIstioResource, parseIstioResources } from "./library/istio-resource.js";
export type { AnyIstioResource, IstioInput, IstioKind, ParseOptions, ParsedIstioResources } from "./library/istio-resource.js";

export { loadScenario, ScenarioError, formatDiagnostic, parseDuration } from "./scenario/index.js";
export type * from "./scenario/model.js";
export type { Override } from "./scenario/overrides.js";
export { runScenario } from "./runner/run-scenario.js";
export type { RunOptions, RunOutcome } from "./runner/run-scenario.js";
export type * from "./report/summary-types.js";

export { Simulator } from "./engine/simulator.js";
export type { EventHandler } from "./engine/simulator.js";
export { RandomStreams } from "./engine/rng.js";
export { compileDistribution, distributionMean } from "./engine/distributions/compile.js";
export type { DistributionSpec } from "./engine/distributions/spec.js";
