import path from "node:path";
import { loadScenario } from "../src/scenario/index.js";
import { runScenario } from "../src/runner/run-scenario.js";
const b = loadScenario(path.resolve(import.meta.dirname, "../scenarios/bookinfo/simulation.yaml"));
for (const lg of b.loadGenerators) if (lg.open) lg.open.rate = 1000;
const t = performance.now(); runScenario(b, { durationMs: 300_000 }); console.log(performance.now() - t);
