// `npm run bench`: meshsim's speed beside the speed limit (a minimal hand-written loop on the same
// M/M/c model), Bookinfo with sidecars at 1,000 rps, and peak memory as simulated time grows; then,
// as whole processes of the package's bin (bundled first by `npm run bench`): start-up against
// Node's own, sweep replications per second, and peak RSS of generated 1,000-service meshes.
// Every ratio compares figures measured in this same run. Benchmarks, not tests: they print numbers
// and assert nothing (docs/performance.md explains them).
import os from "node:os";
import path from "node:path";
import { loadScenario } from "../src/scenario/index.js";
import { runScenario } from "../src/runner/run-scenario.js";
import { mmcYaml, scenarioFrom } from "../test/support/scenario-text.js";
import { runMinimalMMc } from "./minimal-loop.js";
import { benchStartup } from "./startup.js";
import { benchSweep } from "./sweep-throughput.js";
import { benchScale } from "./scale.js";

const fmt = (x: number): string => Math.round(x).toLocaleString("en-US");
const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

const REQUESTS = 2_000_000;
const c = 5;
const rho = 0.7;

const minimal = runMinimalMMc({ c, utilisation: rho, requests: REQUESTS, seed: 1 });
const minimalRps = minimal.requests / (minimal.wallMs / 1000);
console.log(`M/M/${c} at ${rho}, ${fmt(REQUESTS)} requests`);
console.log(`  minimal hand-written loop: ${fmt(minimalRps)} requests/s, ${fmt(minimal.events / (minimal.wallMs / 1000))} events/s (mean response ${minimal.meanResponse.toFixed(3)})`);

// meshsim, whole process: YAML load, world, run, summary.
const rate = rho * c * 1000; // service mean 1 ms
const t0 = performance.now();
const mmc = scenarioFrom(mmcYaml({ c, rate, meanServiceMs: 1, durationS: Math.ceil(REQUESTS / rate), warmupS: 0 }));
const out = runScenario(mmc);
const wall = performance.now() - t0;
const reqs = out.summary.clients["users"]!.requests;
console.log(`  meshsim (load + run + summary): ${fmt(reqs / (wall / 1000))} requests/s, ${fmt(out.run.events / (out.run.wallMs / 1000))} events/s — ${((100 * reqs) / (wall / 1000) / minimalRps).toFixed(0)}% of the minimal loop`);

const bookinfo = loadScenario(path.resolve(import.meta.dirname, "../scenarios/bookinfo/simulation.yaml"));
for (const lg of bookinfo.loadGenerators) if (lg.open) lg.open.rate = 1000;
for (const minutes of [10, 60]) {
  const before = performance.now();
  const b = runScenario(bookinfo, { durationMs: minutes * 60_000 });
  const secs = (performance.now() - before) / 1000;
  const users = b.summary.clients["users"]!;
  console.log(
    `Bookinfo with sidecars at 1,000 rps, ${minutes} simulated min: ${secs.toFixed(1)} s wall, ` +
      `${fmt(users.requests / secs)} client requests/s, ${fmt(b.run.events / secs)} events/s, RSS ${rssMb().toFixed(0)} MB`,
  );
}

console.log(`Whole processes of the bin (load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.availableParallelism()} cores: wall times stretch with it)`);
const start = benchStartup();
console.log(
  `Start-up, whole process (median of 11): node -e 0 ${start.nodeMs.toFixed(0)} ms; meshsim --version ${start.versionMs.toFixed(0)} ms ` +
    `(${(start.versionMs / start.nodeMs).toFixed(2)}× Node's start); a 1 s M/M/c run ${start.trivialRunMs.toFixed(0)} ms (${(start.trivialRunMs / start.nodeMs).toFixed(2)}×)`,
);

const sweep = benchSweep();
const rateText = (r: { perS: number; perCpuS: number }): string => `${r.perS.toFixed(2)}/s (${r.perCpuS.toFixed(2)} per CPU-second)`;
console.log(
  `Sweep of the README's M/M/c, ${sweep.replications} replications: a process per replication ${rateText(sweep.processPerRun)}; ` +
    `1 thread ${rateText(sweep.one)} — ${(sweep.one.perS / sweep.processPerRun.perS).toFixed(1)}× the processes' wall rate, ` +
    `${(sweep.one.perCpuS / sweep.processPerRun.perCpuS).toFixed(1)}× per CPU-second; 2 threads ${rateText(sweep.two)}, speed-up ${(sweep.two.perS / sweep.one.perS).toFixed(2)}×`,
);
console.log(
  `  the same grid with ${sweep.longReplications} replications: 1 thread ${rateText(sweep.longOne)}; 2 threads ${rateText(sweep.longTwo)}, speed-up ${(sweep.longTwo.perS / sweep.longOne.perS).toFixed(2)}×; ` +
    `sweep.json byte-identical for 1 and 2 threads: ${sweep.identical ? "yes" : "NO"}`,
);

const scale = benchScale();
for (const shape of ["chain", "fanout"] as const) {
  const small = scale.find((x) => x.shape === shape && x.services === 10)!;
  const large = scale.find((x) => x.shape === shape && x.services === 1000)!;
  console.log(
    `Generated ${shape}, 10 → 1,000 services (bench/scenarios/, every default report): peak RSS ${small.peakRssMb.toFixed(0)} → ${large.peakRssMb.toFixed(0)} MB; ` +
      `${fmt(small.eventsPerS)} → ${fmt(large.eventsPerS)} events/s (cost per event ${(small.eventsPerS / large.eventsPerS).toFixed(1)}× the 10-service one)`,
  );
}
