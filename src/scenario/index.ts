// Public surface of the scenario loader.
export { loadScenario } from "./load.js";
export type { LoadOptions } from "./load.js";
export { ScenarioError, formatDiagnostic } from "./diagnostic.js";
export { parseDuration } from "./duration.js";
export { parseQuantity } from "./quantity.js";
export { parseCallUrl } from "./call-target.js";
export type { ParsedUrl } from "./call-target.js";
export { parseCheck, metricUnit } from "./expectation.js";
export type { MetricUnit } from "./expectation.js";
export { percentileKey } from "./distribution.js";
export { DEFAULTS } from "./defaults.js";
export type * from "./model.js";
