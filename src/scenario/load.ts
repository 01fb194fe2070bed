// The scenario loader: the Simulation's file, its includes, every document validated and turned into
// the typed model; references resolved once everything is read. Bad input never throws anything but
// a ScenarioError listing every error found.
import type { Override } from "./overrides.js";
import type { OverrideSet } from "./source-file.js";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import type { AnyResource, Deployment, Diagnostic, HorizontalPodAutoscaler, Node, Scenario, Secret, SourcePos } from "./model.js";
import { resourcePosition } from "./resource-position.js";
import { checkScheduling } from "./scheduling-checks.js";
import { ScenarioError, formatPosition } from "./diagnostic.js";
import { LoadState } from "./load-state.js";
import { readDocument } from "./resource-reader.js";
import type { DocumentResult } from "./resource-reader.js";
import { readSimulation } from "./simulation.js";
import { readYamlFile } from "./source-file.js";
import { isGatewayApiResource } from "./resource-kinds.js";
import { DiagnosticSink } from "./yaml-value.js";
import { DEFAULT_MAX_FILE_BYTES, inside, patternLeavesRoot, type FileAccess } from "./file-access.js";
import { placeInNamespace } from "./include-namespace.js";
import { mayBeGlob } from "./include-pattern.js";
import { invalidName } from "./metadata.js";
import type { YamlValue } from "./yaml-value.js";

type SimulationDoc = Extract<DocumentResult, { kind: "simulation" }>;

/** An include entry: a path or glob, or `{file, namespace}` (the file's resources in that namespace). */
function includeEntry(ev: YamlValue): { pattern: string; namespace?: string } | undefined {
  if (!ev.isMap) {
    const pattern = ev.nonEmptyStr();
    return pattern === undefined ? undefined : { pattern };
  }
  const m = ev.map()!;
  const pattern = m.req("file")?.nonEmptyStr();
  const nsV = m.get("namespace");
  const namespace = nsV?.nonEmptyStr();
  m.done();
  if (namespace !== undefined) {
    const problem = invalidName("Namespace", namespace);
    if (problem !== undefined) { nsV!.error(`invalid namespace ${JSON.stringify(namespace)}: ${problem}`); return undefined; }
  }
  if (pattern === undefined) return undefined;
  return namespace === undefined ? { pattern } : { pattern, namespace };
}

/**
 * tinyglobby (with picomatch and fdir, ≈ 90 KB of JavaScript scanned and evaluated at every start,
 * `node -e 'import("tinyglobby")'` ≈ 120 M instructions above `node -e 0`) is loaded only for a
 * Simulation that has `spec.include`: synchronously, its CommonJS build (the same code as its ES
 * module), resolved from node_modules where it is installed as a runtime dependency. And only for
 * an entry that may be a glob (include-pattern.ts): a file name is resolved without it.
 */
let globber: typeof import("tinyglobby") | null = null;
function tinyglobby(): typeof import("tinyglobby") {
  if (globber === null) {
    const lib: typeof import("tinyglobby") = createRequire(import.meta.url)("tinyglobby");
    globber = lib;
  }
  return globber;
}

/** Files named by `spec.include`, relative to the Simulation's file: globs sorted, each file once. */
function includedFiles(sim: SimulationDoc, mainFile: string, access: FileAccess): { file: string; from: YamlValue; namespace?: string }[] {
  const spec = sim.doc.get("spec")?.map();
  const incV = spec?.get("include");
  if (!incV) return [];
  const dir = dirname(mainFile);
  const seen = new Set<string>([mainFile]);
  const out: { file: string; from: YamlValue; namespace?: string }[] = [];
  const entries = incV.isString ? [incV] : incV.list() ?? [];
  for (const ev of entries) {
    const entry = includeEntry(ev);
    if (entry === undefined) continue;
    const { pattern, namespace } = entry;
    let files: string[];
    if (mayBeGlob(pattern) && tinyglobby().isDynamicPattern(pattern)) {
      // Never walk outside the Simulation's folder (a glob from / would walk the whole file system).
      if (!access.allowOutside && patternLeavesRoot(pattern)) {
        ev.error(`${JSON.stringify(pattern)} reaches outside the Simulation's folder (--allow-outside-includes allows it)`);
        continue;
      }
      files = tinyglobby().globSync(pattern, { cwd: dir, absolute: true, onlyFiles: true, expandDirectories: false, followSymbolicLinks: access.allowOutside })
        .map((f) => resolve(f))
        .filter((f) => access.allowOutside || inside(dir, f))
        .sort();
      if (files.length === 0) ev.warn(`${JSON.stringify(pattern)} matches no files`);
    } else {
      files = [resolve(dir, pattern)];
    }
    for (const f of files) {
      if (seen.has(f)) continue;
      seen.add(f);
      out.push(namespace === undefined ? { file: f, from: ev } : { file: f, from: ev, namespace });
    }
  }
  return out;
}

const INDEX_KINDS: [keyof Omit<Scenario, "file" | "simulation" | "warnings" | "gatewayApi" | "autoscalers" | "secrets">, AnyResource["kind"]][] = [
  ["namespaces", "Namespace"], ["serviceAccounts", "ServiceAccount"], ["services", "Service"],
  ["deployments", "Deployment"], ["workloads", "Workload"], ["loadGenerators", "LoadGenerator"],
  ["virtualServices", "VirtualService"], ["destinationRules", "DestinationRule"], ["gateways", "Gateway"],
  ["serviceEntries", "ServiceEntry"], ["sidecars", "Sidecar"], ["peerAuthentications", "PeerAuthentication"],
  ["authorizationPolicies", "AuthorizationPolicy"], ["requestAuthentications", "RequestAuthentication"],
];

function checkDuplicates(results: DocumentResult[], sink: DiagnosticSink, mainFile: string): void {
  const seen = new Map<string, SourcePos | undefined>();
  for (const r of results) {
    if (r.kind !== "resource") continue;
    const m = r.resource.metadata;
    const key = `${r.resource.kind}/${m.namespace}/${m.name}`;
    const pos = resourcePosition(r.resource);
    if (seen.has(key)) {
      const first = seen.get(key);
      const where = first === undefined ? "" : ` (first defined at ${formatPosition(first)})`;
      sink.error(pos ?? { file: mainFile, line: 1, column: 1 }, "metadata.name", `duplicate ${r.resource.kind} ${JSON.stringify(m.name)}${m.namespace ? ` in namespace ${JSON.stringify(m.namespace)}` : ""}${where}`);
    } else seen.set(key, pos);
  }
}

/** Orders diagnostics by file (in load order), then line and column. */
function byPosition(files: string[]): (a: Diagnostic, b: Diagnostic) => number {
  const rank = (f: string) => { const i = files.indexOf(f); return i < 0 ? files.length : i; };
  return (a, b) => rank(a.pos.file) - rank(b.pos.file) || a.pos.line - b.pos.line || a.pos.column - b.pos.column;
}

/** Loads the scenario whose Simulation is in `file`; throws ScenarioError when the input is invalid. */
export interface LoadOptions {
  overrides?: readonly Override[];
  /** Let include globs match outside the Simulation's folder. */
  allowOutsideIncludes?: boolean;
  /** The largest file read, in bytes (default 32 MiB). */
  maxFileBytes?: number;
}

export function loadScenario(file: string, opts: LoadOptions = {}): Scenario {
  const mainFile = resolve(file);
  const sink = new DiagnosticSink();
  const overrides: OverrideSet = { list: opts.overrides ?? [], applied: new Set() };
  const access: FileAccess = { root: dirname(mainFile), allowOutside: opts.allowOutsideIncludes ?? false, maxBytes: opts.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES };
  const state = new LoadState(sink, access);
  const files = [mainFile];
  const results: DocumentResult[] = [];
  // Loops, not push(...array): a List of 100,000 items would overflow the call stack as arguments.
  for (const root of readYamlFile(mainFile, sink, undefined, overrides, { ...access, allowOutside: true }) ?? []) for (const r of readDocument(root, state)) results.push(r);

  const sims = results.filter((r): r is SimulationDoc => r.kind === "simulation");
  const sim = sims[0];
  for (const extra of sims.slice(1)) extra.root.error("only one Simulation document is allowed");
  if (!sim && sink.errors.length === 0) {
    sink.error({ file: mainFile, line: 1, column: 1 }, "", "no Simulation document (apiVersion: meshsim.dev/v1alpha1, kind: Simulation) in this file");
  }
  if (sim) {
    for (const { file: inc, from, namespace } of includedFiles(sim, mainFile, access)) {
      files.push(inc);
      for (const root of readYamlFile(inc, sink, { pos: from.pos, path: from.path }, overrides, access) ?? []) {
        if (namespace !== undefined) placeInNamespace(root, namespace);
        for (const r of readDocument(root, state)) {
          if (r.kind === "simulation") r.root.error(`only one Simulation document is allowed (the entry point is in ${mainFile})`);
          else results.push(r);
        }
      }
    }
  }
  checkDuplicates(results, sink, mainFile);
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
    peerAuthentications: [], authorizationPolicies: [], requestAuthentications: [], gatewayApi: [],
    warnings: sink.warnings.sort(byPosition(files)),
  };
  for (const [field, kind] of INDEX_KINDS) {
    const list = scenario[field] as AnyResource[];
    for (const r of initial) if (r.kind === kind) list.push(r);
  }
  // Nodes: the Node documents and the Simulation's `nodes` shorthand (absent when there are none).
  const nodes = [...initial.filter((r): r is Node => r.kind === "Node"), ...(simulation.nodes ?? [])];
  if (nodes.length > 0) scenario.nodes = nodes;
  for (const r of initial) if (isGatewayApiResource(r)) scenario.gatewayApi.push(r);
  const hpas = initial.filter((r): r is HorizontalPodAutoscaler => r.kind === "HorizontalPodAutoscaler");
  if (hpas.length > 0) scenario.autoscalers = hpas;
  const secrets = initial.filter((r): r is Secret => r.kind === "Secret");
  if (secrets.length > 0) scenario.secrets = secrets;
  return scenario;
}
