// `npm run bench`: first the headline, the package's bin (bundled first by `npm run bench`) as a
// whole process — M/M/c beside the speed limit (a minimal hand-written loop on the same model) and
// Bookinfo with sidecars at 1,000 rps for 10 and 60 simulated minutes, in CPU time; then the same
// in this process (through tsx); then, as whole processes of the bin: start-up against Node's own,
// sweep replications per second, and peak RSS and cost per event of generated 1,000-service meshes.
// Every ratio compares figures measured in this same run. Benchmarks, not tests: they print numbers
// and assert nothing (docs/performance.md explains them).
import os from "node:os";
import path from "node:path";
import { loadScenario } from "../src/scenario/index.js";
import { runScenario } from "../src/runner/run-scenario.js";
import { mmcYaml, scenarioFrom } from "../test/support/scenario-text.js";
import { runMinimalMMc } from "./minimal-loop.js";
import { runSimjsMMc, simjsVersion } from "./simjs-mmc.js";
import { benchStartup } from "./startup.js";
import { benchSweep, type Rate } from "./sweep-throughput.js";
import { benchScale, scaleLines } from "./scale.js";
import { benchBookinfoBin, benchMMcBin } from "./headline.js";

const fmt = (x: number): string => Math.round(x).toLocaleString("en-US");
const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

const REQUESTS = 2_000_000;
const c = 5;
const rho = 0.7;

// Which Node runs the bench, and whether its start pays for NODE_EXTRA_CA_CERTS (whole-process.ts).
console.log(
  `Node ${process.version} (V8 ${process.versions.v8}); NODE_EXTRA_CA_CERTS ${process.env["NODE_EXTRA_CA_CERTS"] === undefined ? "not set" : "set: Node 20 reads it at every process start, Node 22 and 24 at the first TLS use; whole-process figures are given with and without it"}`,
);

// Headline (issue 18, goals 2 and 3): the package's bin as a whole process, CPU time, against the
// minimal loop's and simjs's whole processes measured in the same rounds (the issue's measure), and
// against the minimal loop's loop alone in this process (stricter: no start is charged to it).
console.log(`Headline: the bin (bin/meshsim.js → dist/), whole process, CPU time (load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.availableParallelism()} cores)`);
const head = benchMMcBin({ c, rho, requests: REQUESTS, rounds: 3 });
const perS = (ms: number, n = REQUESTS): string => `${fmt(n / (ms / 1000))} requests/s`;
console.log(
  `  M/M/${c} at ${rho}, ${fmt(REQUESTS)} requests, whole processes, median of 3 interleaved: minimal loop ${fmt(head.minimalCpuMs)} ms CPU (${perS(head.minimalCpuMs)}); ` +
    `meshsim run ${fmt(head.binCpuMs)} ms CPU (${perS(head.binCpuMs, head.binRequests)}, ${fmt(head.binWallMs)} ms wall) — ${head.ratio.toFixed(2)} of the minimal loop`,
);
if (head.withoutExtraCaCerts !== null) {
  const p = head.withoutExtraCaCerts;
  console.log(`    the same without NODE_EXTRA_CA_CERTS: minimal loop ${fmt(p.minimalCpuMs)} ms CPU; meshsim run ${fmt(p.binCpuMs)} ms CPU — ${p.ratio.toFixed(2)} of the minimal loop`);
}
console.log(`    the minimal loop's loop alone (in this process, no start charged to it) ${fmt(head.minimalLoopCpuMs)} ms CPU: meshsim run ${head.loopRatio.toFixed(2)} of it`);
console.log(`    simjs (npm simjs ${simjsVersion()}, the same model, a whole process) ${fmt(head.simjsCpuMs)} ms CPU (${perS(head.simjsCpuMs)}): meshsim run ${head.simjsRatio.toFixed(2)}× simjs`);
for (const b of benchBookinfoBin([10, 60])) {
  console.log(
    `  Bookinfo with sidecars at 1,000 rps, ${b.minutes} simulated min: ${(b.cpuMs / 1000).toFixed(1)} s CPU (${(b.wallMs / 1000).toFixed(1)} s wall), ` +
      `${fmt(b.events / (b.cpuMs / 1000))} events per CPU-second, peak RSS ${b.peakRssMb.toFixed(0)} MB`,
  );
}

console.log("In-process (through tsx, the bench's own process)");
const cpuNow = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
let cpu0 = cpuNow();
const minimal = runMinimalMMc({ c, utilisation: rho, requests: REQUESTS, seed: 1 });
const minimalCpuMs = cpuNow() - cpu0;
const minimalRps = minimal.requests / (minimalCpuMs / 1000);
console.log(`  M/M/${c} at ${rho}, ${fmt(REQUESTS)} requests`);
console.log(`    minimal hand-written loop: ${fmt(minimalRps)} requests per CPU-second, ${fmt(minimal.events / (minimalCpuMs / 1000))} events per CPU-second (mean response ${minimal.meanResponse.toFixed(3)})`);

// meshsim in this process: YAML load, world, run, summary.
const rate = rho * c * 1000; // service mean 1 ms
cpu0 = cpuNow();
const mmc = scenarioFrom(mmcYaml({ c, rate, meanServiceMs: 1, durationS: Math.ceil(REQUESTS / rate), warmupS: 0 }));
const out = runScenario(mmc);
const mmcCpuMs = cpuNow() - cpu0;
const reqs = out.summary.clients["users"]!.requests;
cpu0 = cpuNow();
const simjs = runSimjsMMc({ c, utilisation: rho, requests: REQUESTS, seed: 1 });
const simjsCpuMs = cpuNow() - cpu0;
console.log(`    simjs: ${fmt(simjs.requests / (simjsCpuMs / 1000))} requests per CPU-second (mean response ${simjs.meanResponse.toFixed(3)})`);
console.log(
  `    meshsim (load + run + summary): ${fmt(reqs / (mmcCpuMs / 1000))} requests per CPU-second, ${fmt(out.run.events / (mmcCpuMs / 1000))} events per CPU-second — ` +
    `${(reqs / mmcCpuMs / (minimal.requests / minimalCpuMs)).toFixed(2)} of the minimal loop, ${(reqs / mmcCpuMs / (simjs.requests / simjsCpuMs)).toFixed(2)}× simjs`,
);

const bookinfo = loadScenario(path.resolve(import.meta.dirname, "../scenarios/bookinfo/simulation.yaml"));
for (const lg of bookinfo.loadGenerators) if (lg.open) lg.open.rate = 1000;
for (const minutes of [10, 60]) {
  const before = cpuNow();
  const b = runScenario(bookinfo, { durationMs: minutes * 60_000 });
  const secs = (cpuNow() - before) / 1000;
  const users = b.summary.clients["users"]!;
  console.log(
    `  Bookinfo with sidecars at 1,000 rps, ${minutes} simulated min: ${secs.toFixed(1)} s CPU, ` +
      `${fmt(users.requests / secs)} client requests per CPU-second, ${fmt(b.run.events / secs)} events per CPU-second, RSS ${rssMb().toFixed(0)} MB`,
  );
}

console.log(`Whole processes of the bin (load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.availableParallelism()} cores: wall times stretch with it)`);
const start = benchStartup();
console.log(
  `Start-up, whole process (median of 11): node -e 0 ${start.nodeMs.toFixed(0)} ms; meshsim --version ${start.versionMs.toFixed(0)} ms ` +
    `(${(start.versionMs / start.nodeMs).toFixed(2)}× Node's start); a 1 s M/M/c run ${start.trivialRunMs.toFixed(0)} ms (${(start.trivialRunMs / start.nodeMs).toFixed(2)}×)`,
);
const plainStart = start.withoutExtraCaCerts;
if (plainStart !== null) {
  console.log(
    `  the same without NODE_EXTRA_CA_CERTS: node -e 0 ${plainStart.nodeMs.toFixed(0)} ms; meshsim --version ${plainStart.versionMs.toFixed(0)} ms ` +
      `(${(plainStart.versionMs / plainStart.nodeMs).toFixed(2)}×); a 1 s M/M/c run ${plainStart.trivialRunMs.toFixed(0)} ms (${(plainStart.trivialRunMs / plainStart.nodeMs).toFixed(2)}×)`,
  );
}

const sweep = benchSweep();
const rateText = (r: { perS: number; perCpuS: number }): string => `${r.perS.toFixed(2)}/s (${r.perCpuS.toFixed(2)} per CPU-second)`;
console.log(
  `Sweep of the README's M/M/c, ${sweep.replications} replications: a process per replication ${rateText(sweep.processPerRun)}; ` +
    `1 thread ${rateText(sweep.one)} — ${(sweep.one.perS / sweep.processPerRun.perS).toFixed(1)}× the processes' wall rate, ` +
    `${(sweep.one.perCpuS / sweep.processPerRun.perCpuS).toFixed(1)}× per CPU-second; 2 threads ${rateText(sweep.two)}, speed-up ${(sweep.two.perS / sweep.one.perS).toFixed(2)}×`,
);
console.log(`  the same grid with ${sweep.longReplications} replications: 1 thread ${rateText(sweep.longOne)}; 2 threads ${rateText(sweep.longTwo)}, speed-up ${(sweep.longTwo.perS / sweep.longOne.perS).toFixed(2)}×`);
console.log(
  `  with ${sweep.longer.replications} replications: 1 thread ${rateText(sweep.longer.one)}; 2 threads ${rateText(sweep.longer.two)}, speed-up ${(sweep.longer.two.perS / sweep.longer.one.perS).toFixed(2)}×; ` +
    `sweep.json byte-identical for 1 and 2 threads: ${sweep.identical ? "yes" : "NO"} (each sweep the median of 3 runs, 1 and 2 threads interleaved)`,
);
const cap = sweep.capacity;
console.log(
  `Sweep of the README's capacity grid (scenarios/capacity/replicas.yaml), ${cap.replications} replications: ` +
    `1 thread ${rateText(cap.one)}; 2 threads ${rateText(cap.two)}, speed-up ${(cap.two.perS / cap.one.perS).toFixed(2)}×`,
);

// Where each sweep's CPU went, and the least wall time an idle 2-core machine needs for it: wall times
// on a loaded machine say little about 2 threads against 1 (docs/performance.md, "Goal 5").
const cpuText = (r: Rate): string =>
  `${r.mainMs.toFixed(0)} ms sweep thread${r.workersMs > 0.5 ? ` + ${r.workersMs.toFixed(0)} ms worker` : ""} + ${r.backgroundMs.toFixed(0)} ms background`;
for (const [n, one, two] of [[sweep.replications, sweep.one, sweep.two], [sweep.longReplications, sweep.longOne, sweep.longTwo], [sweep.longer.replications, sweep.longer.one, sweep.longer.two]] as const) {
  console.log(
    `  CPU, ${n} replications: 1 thread ${cpuText(one)}; 2 threads ${cpuText(two)}; an idle 2-core machine needs ≥ ${one.twoCoreMs.toFixed(0)} ms on 1 thread, ` +
      `≥ ${two.twoCoreMs.toFixed(0)} ms on 2 (max of the sweep thread's CPU and half the process's): ${(one.twoCoreMs / two.twoCoreMs).toFixed(2)}×`,
  );
}

for (const line of scaleLines(benchScale())) console.log(line);
