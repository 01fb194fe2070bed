// The package entry point: the pure data-plane library, plus what a program needs to load and run
// scenarios itself.
export * from "./proxy/index.js";
export { Simulator } from "./engine/simulator.js";
export { RandomStreams } from "./engine/rng.js";
export { compileDistribution, distributionMean } from "./engine/distributions/compile.js";
export type { DistributionSpec } from "./engine/distributions/spec.js";
export { loadScenario, ScenarioError, parseDuration } from "./scenario/index.js";
export { runScenario } from "./runner/run-scenario.js";
export type { Summary } from "./report/summary-types.js";
