// meshsim's command line. Exit codes (report-contract.md): 0 success, 1 an expectation failed,
// 2 invalid input, 3 internal error.
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { DEFAULT_FORMATS } from "./default-formats.js";
import { PROXY_CONFIG_KINDS } from "./proxy-config-kinds.js";
import { ZTUNNEL_CONFIG_KINDS } from "./ztunnel-config-kinds.js";
import { exitWith, UsageError } from "./exit.js";
import { BUDGET_OPTIONS } from "./budget-options.js";
import { LOAD_OPTIONS, loadArgsOf } from "./load-options.js";
import { ownVersion } from "./own-version.js";

// Each command's module is imported when that command runs, not before: the bundle (esbuild.config.mjs)
// then splits at those imports, and a run evaluates only the code it needs (≈ 0.1 s of start-up was
// evaluating every command's modules). Only the light tables the options need are imported above.
const EPILOG = "Exit codes: 0 success, 1 an `expect` failed, 2 invalid input, 3 internal error.";

// No top-level await: the same module also runs inside the code-cached script of the bin (command-script.ts,
// a CommonJS bundle, which cannot await at its top level; docs/performance.md, session 21).
async function main(): Promise<void> {
  try {
    await yargs(hideBin(process.argv))
      .scriptName("meshsim")
      .usage("$0 <command> [options]\n\nA discrete-event simulator of an Istio/Envoy service mesh.")
      .command(
        "run <scenario>",
        "Simulate a scenario and write its reports",
        (y) =>
          y
            .positional("scenario", { type: "string", demandOption: true, describe: "The YAML file holding the Simulation" })
            .option("seed", { type: "number", describe: "Override spec.seed" })
            .option("duration", { type: "string", describe: "Override spec.duration (e.g. 60s, 5m)" })
            .option("out", { type: "string", describe: "Output folder (default reports/<scenario-name>/)" })
            .option("format", { type: "string", default: DEFAULT_FORMATS, describe: "Comma-separated: json, md, html, prom, accesslog, traces, fortio" })
            .option("json", { type: "boolean", default: false, describe: "Print summary.json on standard output and nothing else" })
            .option("quiet", { type: "boolean", default: false, describe: "No progress or messages on standard error" })
            .option("set", { type: "string", array: true, describe: "Override a field: [Kind/name:]path=value (the Simulation without Kind/name)" })
            .options(BUDGET_OPTIONS)
            .options(LOAD_OPTIONS)
            .example("$0 run scenarios/mmc.yaml", "Run the M/M/c example; reports land in reports/mmc/")
            .example("$0 run scenarios/mmc.yaml --set LoadGenerator/users:spec.rate=80", "The same at another arrival rate")
            .example("$0 run scenarios/bookinfo/simulation.yaml --seed 7 --json", "Another seed, summary on stdout")
            .example("$0 run scenarios/mmc.yaml --duration 24h --max-events 2e9", "A long run beyond the default budget")
            .epilogue(`${EPILOG}\nSIGINT (Ctrl-C) or SIGTERM: the reports of the simulated time so far, marked interrupted; exit 130 or 143.`),
        async (args) => {
          const { runCommand } = await import("./run-command.js");
          process.exitCode = await runCommand({
            scenario: args.scenario,
            seed: args.seed,
            duration: args.duration,
            out: args.out,
            format: args.format,
            json: args.json,
            quiet: args.quiet,
            set: args.set,
            maxEvents: args["max-events"], maxPods: args["max-pods"], maxWindows: args["max-windows"], maxMemory: args["max-memory"],
            ...loadArgsOf(args),
          });
        },
      )
      .command(
        "sweep <scenario>",
        "Run a scenario over a grid of values, R seeds per point, and summarise with 95% confidence intervals",
        (y) =>
          y
            .positional("scenario", { type: "string", demandOption: true })
            .option("set", { type: "string", array: true, demandOption: true, describe: "A field and its values: [Kind/name:]path=[a,b,c]" })
            .option("replications", { alias: "r", type: "number", default: 3, describe: "Runs per point (seeds spec.seed, +1, ...)" })
            .option("workers", { alias: "w", type: "number", default: 1, describe: "Runs at once (threads: this one and W-1 worker threads)" })
            .option("shard", { type: "string", describe: "i/N: run only this machine's share of the runs" })
            .option("duration", { type: "string", describe: "Override spec.duration for every run" })
            .option("out", { type: "string", describe: "Output folder (default reports/<scenario-name>-sweep/)" })
            .option("quiet", { type: "boolean", default: false })
            .option("job", { type: "number", describe: "Print a Kubernetes Indexed Job that runs the sweep as this many shards, then merge" })
            .option("image", { type: "string", describe: "With --job (required): a container image with meshsim on its PATH and the scenario under /work" })
            .option("pvc", { type: "string", describe: "With --job (required): the PersistentVolumeClaim (ReadWriteMany) the shards and the merge write to" })
            .example("$0 sweep scenarios/mmc.yaml --set 'LoadGenerator/users:spec.rate=[60,80,95]' -r 5 -w 2", "How waiting grows as 5 slots near saturation (100 rps)")
            .example("$0 sweep scenarios/capacity/replicas.yaml --set 'Deployment/checkout:spec.replicas=[10,11,12,14]' -r 5", "How many replicas keep p99 under the target?")
            .epilogue(EPILOG),
        async (args) => {
          // The worker threads first, so that their module load overlaps this thread's (loading the
          // sweep's modules, checking every point of the grid): docs/performance.md, "Goal 5".
          const { startReplicationThreads } = await import("./replication-threads.js");
          const runs = args.job === undefined && Number.isInteger(args.workers) && args.workers > 1;
          const threads = runs ? startReplicationThreads(args.workers - 1) : [];
          const { sweepCommand } = await import("./sweep-command.js");
          process.exitCode = await sweepCommand({
            scenario: args.scenario, set: args.set, replications: args.replications, workers: args.workers,
            shard: args.shard, out: args.out, duration: args.duration, quiet: args.quiet, jobShards: args.job, image: args.image, pvc: args.pvc,
            threads,
          });
        },
      )
      .command(
        "merge <dirs..>",
        "Join the folders of a sharded sweep into one summary",
        (y) =>
          y
            .positional("dirs", { type: "string", array: true, demandOption: true, describe: "The --out folders of the shards (`sweep --shard i/N`)" })
            .option("out", { type: "string", describe: "Where sweep.json and sweep.md go (default the first folder)" })
            .option("quiet", { type: "boolean", default: false, describe: "No messages on standard error" })
            .example("$0 merge shard-0 shard-1 shard-2 --out reports/replicas-sweep", "Join three shards' runs into one sweep.json and sweep.md")
            .epilogue("Exit codes: 0 merged and every expectation held, 1 an `expect` failed, 2 invalid input (a folder that is not a shard's output), 3 internal error."),
        async (args) => {
          const { writeSweep } = await import("./sweep-command.js");
          process.exitCode = writeSweep(args.out ?? args.dirs[0]!, args.dirs, args.quiet);
        },
      )
      .command(
        "check <scenario>",
        "Run a scenario and print only its expectations, pass or fail (exit 1 when one failed)",
        (y) =>
          y
            .positional("scenario", { type: "string", demandOption: true })
            .option("seed", { type: "number", describe: "Override the Simulation's seed" })
            .option("duration", { type: "string", describe: "Override the simulated duration, e.g. 60s" })
            .option("set", { type: "string", array: true, describe: "Override a field: [Kind/name:]path=value" })
            .option("quiet", { type: "boolean", default: false, describe: "No warnings on standard error" })
            .options(BUDGET_OPTIONS)
            .options(LOAD_OPTIONS)
            .example("$0 check scenarios/resilience/circuit-breaking-c2.yaml", "PASS or FAIL per expectation, as a CI job wants them")
            .example("$0 check scenarios/mmc.yaml --set LoadGenerator/users:spec.rate=95", "Do the expectations still hold at a higher load?")
            .epilogue("Exit codes: 0 every expectation held (or there are none), 1 an `expect` failed, 2 invalid input, 3 internal error; 130/143 interrupted."),
        async (args) => {
          const { checkCommand } = await import("./check-command.js");
          process.exitCode = await checkCommand({
            scenario: args.scenario, seed: args.seed, duration: args.duration, set: args.set, quiet: args.quiet,
            maxEvents: args["max-events"], maxPods: args["max-pods"], maxWindows: args["max-windows"], maxMemory: args["max-memory"],
            ...loadArgsOf(args),
          });
        },
      )
      .command(
        "analyze <scenario>",
        "Configuration problems, like istioctl analyze, over the initial config and the timeline's changes",
        (y) =>
          y
            .positional("scenario", { type: "string", demandOption: true })
            .option("set", { type: "string", array: true, describe: "Override a field first: [Kind/name:]path=value (e.g. spec.mesh.mode=ambient)" })
            .options(LOAD_OPTIONS)
            .example("$0 analyze scenarios/control-plane/canary-wrong-order.yaml", "Messages with the simulated times they hold")
            .example("$0 analyze scenarios/bookinfo/fault-injection-abort.yaml --set spec.mesh.mode=ambient", "What stops working in ambient mode")
            .epilogue("Exit codes: 0 no Error-level message, 1 an Error found, 2 invalid input."),
        async (args) => {
          const { analyzeCommand } = await import("./analyze-command.js");
          process.exitCode = analyzeCommand({ scenario: args.scenario, set: args.set, ...loadArgsOf(args) });
        },
      )
      .command(
        ["proxy-config <kind> <pod> <scenario>", "pc <kind> <pod> <scenario>"],
        "Print the config a pod's proxy holds at a simulated time, like istioctl proxy-config",
        (y) =>
          y
            .positional("kind", { type: "string", demandOption: true, choices: PROXY_CONFIG_KINDS })
            .positional("pod", { type: "string", demandOption: true, describe: "A pod as istioctl names it: <pod>, <pod>.<namespace> or deploy/<name>" })
            .positional("scenario", { type: "string", demandOption: true })
            .option("at", { type: "string", describe: "Simulated time (default 0s)" })
            .option("output", { alias: "o", type: "string", choices: ["table", "json"], default: "table", describe: "json: Envoy's own resources (RouteConfiguration, Cluster, ClusterLoadAssignment, Listener)" })
            .option("port", { type: "number", describe: "Only listeners, clusters or endpoints on this port" })
            .option("name", { type: "string", describe: "Only the route configuration (or cluster) with this name" })
            .option("fqdn", { type: "string", describe: "Only clusters of this service host" })
            .option("cluster", { type: "string", describe: "Only endpoints of this cluster" })
            .example("$0 proxy-config routes productpage-v1-0 scenarios/bookinfo/request-routing.yaml --at 40s", "")
            .example("$0 pc clusters deploy/productpage-v1 scenarios/bookinfo/simulation.yaml -o json", "")
            .epilogue(EPILOG),
        async (args) => {
          const { proxyConfigCommand } = await import("./inspect-commands.js");
          process.exitCode = proxyConfigCommand({
            kind: args.kind, pod: args.pod, scenario: args.scenario, at: args.at, output: args.output,
            port: args.port, name: args.name, fqdn: args.fqdn, cluster: args.cluster,
          });
        },
      )
      .command(
        ["ztunnel-config <kind> <scenario>", "zc <kind> <scenario>"],
        "Print what istiod sent the ztunnels (workloads, services, policies, certificates) at a simulated time, like istioctl ztunnel-config",
        (y) =>
          y
            .positional("kind", { type: "string", demandOption: true, choices: ZTUNNEL_CONFIG_KINDS })
            .positional("scenario", { type: "string", demandOption: true })
            .option("at", { type: "string", describe: "Simulated time (default 0s)" })
            .option("node", { type: "string", describe: "Only the workloads and certificates of the ztunnel on this node" })
            .option("namespace", { type: "string", describe: "Only workloads, services and policies in this namespace" })
            .option("output", { alias: "o", type: "string", choices: ["table", "json"], default: "table", describe: "json: ztunnel's config_dump (workloads, services, policies, certificates)" })
            .example("$0 ztunnel-config workloads scenarios/ambient/waypoint-traffic-shifting.yaml", "")
            .example("$0 zc services scenarios/ambient/bookinfo-ambient.yaml -o json", "")
            .epilogue(EPILOG),
        async (args) => {
          const { ztunnelConfigCommand } = await import("./ztunnel-config-command.js");
          process.exitCode = ztunnelConfigCommand({ kind: args.kind, scenario: args.scenario, at: args.at, output: args.output, node: args.node, namespace: args.namespace });
        },
      )
      .command(
        "explain <scenario>",
        "Follow one request hop by hop: iptables, listener, route (and why), cluster, endpoints, inbound side",
        (y) =>
          y
            .positional("scenario", { type: "string", demandOption: true })
            .option("from", { type: "string", demandOption: true, describe: "The deployment (or pod) sending it" })
            .option("request", { type: "string", demandOption: true, describe: "'METHOD URL [-H name:value]...'" })
            .option("at", { type: "string", describe: "Simulated time (default 0s)" })
            .example("$0 explain scenarios/bookinfo/request-routing.yaml --from productpage-v1 --request 'GET http://reviews:9080/reviews/0 -H end-user:jason' --at 40s", "")
            .epilogue(EPILOG),
        async (args) => {
          const { explainCommand } = await import("./inspect-commands.js");
          process.exitCode = explainCommand({ scenario: args.scenario, from: args.from, request: args.request, at: args.at });
        },
      )
      .command(
        "report <dir>",
        "Draw a run's report.md and report.html again from its summary.json, or compare two runs (--vs)",
        (y) =>
          y
            .positional("dir", { type: "string", demandOption: true, describe: "A run's output folder (holding summary.json)" })
            .option("vs", { type: "string", describe: "Compare with this run's folder (the baseline, \"before\"): comparison.md and comparison.html" })
            .option("out", { type: "string", describe: "Where comparison.md and comparison.html go (default <dir>)" })
            .option("quiet", { type: "boolean", default: false, describe: "No messages on standard error" })
            .example("$0 report reports/mmc", "Draw reports/mmc/report.html again")
            .example("$0 report reports/canary-right-order --vs reports/canary-wrong-order", "What the right order changes")
            .epilogue("Exit codes: 0 written, 2 invalid input (a folder without a run's summary.json), 3 internal error."),
        async (args) => {
          const { reportCommand } = await import("./report-command.js");
          process.exitCode = reportCommand({ dir: args.dir, vs: args.vs, out: args.out, quiet: args.quiet });
        },
      )
      .command(
        "compare-modes <scenario>",
        "Run a scenario with no mesh, with sidecars and in ambient mode, and compare them on one page (what would ambient change?)",
        (y) =>
          y
            .positional("scenario", { type: "string", demandOption: true, describe: "The YAML file holding the Simulation" })
            .option("seed", { type: "number", describe: "Override spec.seed" })
            .option("duration", { type: "string", describe: "Override spec.duration (e.g. 60s, 5m)" })
            .option("out", { type: "string", describe: "Output folder (default reports/<scenario-name>-modes/): one folder per mode and compare-modes.md/.html" })
            .option("set", { type: "string", array: true, describe: "Override a field in all three runs: [Kind/name:]path=value (not spec.mesh.mode)" })
            .option("quiet", { type: "boolean", default: false, describe: "No messages on standard error" })
            .options(BUDGET_OPTIONS)
            .options(LOAD_OPTIONS)
            .example("$0 compare-modes scenarios/bookinfo/simulation.yaml --duration 30s", "Bookinfo with no mesh, sidecars and ambient; reports/bookinfo-modes/compare-modes.html")
            .epilogue("Exit codes: 0 written, 1 an `expect` failed in the run of the scenario's own mode, 2 invalid input, 3 internal error."),
        async (args) => {
          const { compareModesCommand } = await import("./compare-modes-command.js");
          process.exitCode = await compareModesCommand({
            scenario: args.scenario, seed: args.seed, duration: args.duration, out: args.out, set: args.set, quiet: args.quiet,
            maxEvents: args["max-events"], maxPods: args["max-pods"], maxWindows: args["max-windows"], maxMemory: args["max-memory"],
            ...loadArgsOf(args),
          });
        },
      )
      .demandCommand(1, "Name a command; see --help.")
      .strict()
      .epilog(EPILOG)
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .help()
      .alias("help", "h")
      .version(ownVersion())
      .alias("version", "V")
      .parseAsync();
  } catch (err) {
    exitWith(err);
  }
}

void main();
