// The scenario loader: the Simulation's file, its includes, every document validated and turned into
// the typed model; references resolved once everything is read. Bad input never throws anything but
// a ScenarioError listing every error found.
import type { Override } from "./overrides.js";
import type { OverrideSet } from "./source-file.js";
import { dirname, resolve } from "node:path";
import { globSync, isDynamicPattern } from "tinyglobby";
import type { AnyResource, Deployment, Diagnostic, Node, Scenario } from "./model.js";
import { checkScheduling } from "./scheduling-checks.js";
import { ScenarioError } from "./diagnostic.js";
import { LoadState } from "./load-state.js";
import { readDocument } from "./resource-reader.js";
import type { DocumentResult } from "./resource-reader.js";
import { readSimulation } from "./simulation.js";
import { readYamlFile } from "./source-file.js";
import { DiagnosticSink } from "./yaml-value.js";
import type { YamlValue } from "./yaml-value.js";

type SimulationDoc = Extract<DocumentResult, { kind: "simulation" }>;

/** Files named by `spec.include`, relative to the Simulation's file: globs sorted, each file once. */
function includedFiles(sim: SimulationDoc, mainFile: string): { file: string; from: YamlValue }[] {
  const spec = sim.doc.get("spec")?.map();
  const incV = spec?.get("include");
  if (!incV) return [];
  const dir = dirname(mainFile);
  const seen = new Set<string>([mainFile]);
  const out: { file: string; from: YamlValue }[] = [];
  const entries = incV.isString ? [incV] : incV.list() ?? [];
  for (const ev of entries) {
    const pattern = ev.nonEmptyStr();
    if (pattern === undefined) continue;
    let files: string[];
    if (isDynamicPattern(pattern)) {
      files = globSync(pattern, { cwd: dir, absolute: true, onlyFiles: true, expandDirectories: false }).map((f) => resolve(f)).sort();
      if (files.length === 0) ev.warn(`${JSON.stringify(pattern)} matches no files`);
    } else {
      files = [resolve(dir, pattern)];
    }
    for (const f of files) {
      if (seen.has(f)) continue;
      seen.add(f);
      out.push({ file: f, from: ev });
    }
  }
  return out;
}

const INDEX_KINDS: [keyof Omit<Scenario, "file" | "simulation" | "warnings">, AnyResource["kind"]][] = [
  ["namespaces", "Namespace"], ["serviceAccounts", "ServiceAccount"], ["services", "Service"],
  ["deployments", "Deployment"], ["workloads", "Workload"], ["loadGenerators", "LoadGenerator"],
  ["virtualServices", "VirtualService"], ["destinationRules", "DestinationRule"], ["gateways", "Gateway"],
  ["serviceEntries", "ServiceEntry"], ["sidecars", "Sidecar"], ["peerAuthentications", "PeerAuthentication"],
  ["authorizationPolicies", "AuthorizationPolicy"], ["requestAuthentications", "RequestAuthentication"],
];

function checkDuplicates(results: DocumentResult[], sink: DiagnosticSink): void {
  const seen = new Map<string, true>();
  for (const r of results) {
    if (r.kind !== "resource") continue;
    const m = r.resource.metadata;
    const key = `${r.resource.kind}/${m.namespace}/${m.name}`;
    if (seen.has(key)) {
      const pos = "pos" in r.resource ? r.resource.pos : undefined;
      sink.error(pos ?? { file: "", line: 1, column: 1 }, "metadata.name", `duplicate ${r.resource.kind} ${JSON.stringify(m.name)}${m.namespace ? ` in namespace ${JSON.stringify(m.namespace)}` : ""}`);
    }
    seen.set(key, true);
  }
}

/** Orders diagnostics by file (in load order), then line and column. */
function byPosition(files: string[]): (a: Diagnostic, b: Diagnostic) => number {
  const rank = (f: string) => { const i = files.indexOf(f); return i < 0 ? files.length : i; };
  return (a, b) => rank(a.pos.file) - rank(b.pos.file) || a.pos.line - b.pos.line || a.pos.column - b.pos.column;
}

/** Loads the scenario whose Simulation is in `file`; throws ScenarioError when the input is invalid. */
export function loadScenario(file: string, opts: { overrides?: readonly Override[] } = {}): Scenario {
  const mainFile = resolve(file);
  const sink = new DiagnosticSink();
  const overrides: OverrideSet = { list: opts.overrides ?? [], applied: new Set() };
  const state = new LoadState(sink);
  const files = [mainFile];
  const results: DocumentResult[] = [];
  for (const root of readYamlFile(mainFile, sink, undefined, overrides) ?? []) results.push(...readDocument(root, state));

  const sims = results.filter((r): r is SimulationDoc => r.kind === "simulation");
  const sim = sims[0];
  for (const extra of sims.slice(1)) extra.root.error("only one Simulation document is allowed");
  if (!sim && sink.errors.length === 0) {
    sink.error({ file: mainFile, line: 1, column: 1 }, "", "no Simulation document (apiVersion: meshsim.dev/v1alpha1, kind: Simulation) in this file");
  }
  if (sim) {
    for (const { file: inc, from } of includedFiles(sim, mainFile)) {
      files.push(inc);
      for (const root of readYamlFile(inc, sink, { pos: from.pos, path: from.path }, overrides) ?? []) {
        for (const r of readDocument(root, state)) {
          if (r.kind === "simulation") r.root.error(`only one Simulation document is allowed (the entry point is in ${mainFile})`);
          else results.push(r);
        }
      }
    }
  }
  checkDuplicates(results, sink);
  // Each override must land: a typo in --set would otherwise silently run the unchanged scenario.
  for (const o of overrides.list) {
    if (!overrides.applied.has(o)) {
      sink.error({ file: mainFile, line: 1, column: 1 }, "", `--set ${o.text}: no ${o.kind === undefined ? "Simulation" : `${o.kind} named ${JSON.stringify(o.name)}`} in the scenario`);
    }
  }
  const initial = state.resources.slice();
  const simulation = sim ? readSimulation(sim.doc, sim.metadata, sim.root.pos, mainFile, state) : undefined;
  state.runDeferred();
  checkScheduling([...initial.filter((r): r is Node => r.kind === "Node"), ...(simulation?.nodes ?? [])], initial.filter((r): r is Deployment => r.kind === "Deployment"), sink);

  const errors = sink.errors;
  if (errors.length > 0 || !simulation) throw new ScenarioError(errors.sort(byPosition(files)));
  const scenario: Scenario = {
    file: mainFile, simulation,
    namespaces: [], serviceAccounts: [], services: [], deployments: [], workloads: [], loadGenerators: [],
    virtualServices: [], destinationRules: [], gateways: [], serviceEntries: [], sidecars: [],
    peerAuthentications: [], authorizationPolicies: [], requestAuthentications: [],
    warnings: sink.warnings.sort(byPosition(files)),
  };
  for (const [field, kind] of INDEX_KINDS) {
    (scenario[field] as AnyResource[]).push(...initial.filter((r) => r.kind === kind));
  }
  // Nodes: the Node documents and the Simulation's `nodes` shorthand (absent when there are none).
  const nodes = [...initial.filter((r): r is Node => r.kind === "Node"), ...(simulation.nodes ?? [])];
  if (nodes.length > 0) scenario.nodes = nodes;
  return scenario;
}
