// The three runs of `meshsim compare-modes`: one scenario loaded with spec.mesh.mode none, sidecar and
// ambient (the same override `meshsim sweep --set 'spec.mesh.mode=[none,sidecar,ambient]'` applies),
// run in this process one after the other, and what ambient changes in its config found by `analyze`.
// For the ambient run, namespaces labelled for sidecar injection are relabelled for ambient, as
// Istio's migration guide does (https://istio.io/latest/docs/ambient/migrate/: "label the namespace
// istio.io/dataplane-mode=ambient", then remove the injection label): otherwise a scenario whose
// sidecars come from namespace labels would keep them and ambient would change nothing.
import type { Namespace, Scenario } from "../scenario/model.js";
import { loadScenario, type LoadOptions } from "../scenario/load.js";
import type { Override } from "../scenario/overrides.js";
import { analyzeTimeline } from "../config/analyze-timeline.js";
import { formatMessage } from "../config/analyze.js";
import { DATAPLANE_MODE_AMBIENT, DATAPLANE_MODE_LABEL } from "../config/ambient/ambient-labels.js";
import { MESH_MODES, type MeshMode, type ModeFinding } from "../report/mode-comparison.js";
import { runScenario, type RunOutcome } from "./run-scenario.js";

/** The scenario for one mode: the user's overrides and spec.mesh.mode (ambient: namespaces migrated). */
export function modeScenario(file: string, mode: MeshMode, overrides: readonly Override[], load: Omit<LoadOptions, "overrides">): { scenario: Scenario; migration: string[] } {
  const set: Override = { kind: undefined, name: undefined, path: ["spec", "mesh", "mode"], value: mode, text: `spec.mesh.mode=${mode}` };
  const scenario = loadScenario(file, { ...load, overrides: [...overrides, set] });
  return mode === "ambient" ? migrateToAmbient(scenario) : { scenario, migration: [] };
}

const INJECTION_LABELS = ["istio-injection", "istio.io/rev"];

/** Namespaces enabled for sidecar injection become ambient namespaces (see the file comment). */
export function migrateToAmbient(s: Scenario): { scenario: Scenario; migration: string[] } {
  const migration: string[] = [];
  const namespaces = s.namespaces.map((n): Namespace => {
    const l = n.metadata.labels;
    const injected = l["istio-injection"] === "enabled" || (l["istio.io/rev"] !== undefined && l["istio-injection"] !== "disabled");
    if (!injected || l[DATAPLANE_MODE_LABEL] !== undefined) return n;
    const labels = Object.fromEntries(Object.entries(l).filter(([k]) => !INJECTION_LABELS.includes(k)));
    labels[DATAPLANE_MODE_LABEL] = DATAPLANE_MODE_AMBIENT;
    const was = INJECTION_LABELS.filter((k) => l[k] !== undefined).map((k) => `${k}=${l[k]}`).join(", ");
    migration.push(`namespace ${n.metadata.name}: ${was} replaced by ${DATAPLANE_MODE_LABEL}=${DATAPLANE_MODE_AMBIENT}`);
    return { ...n, metadata: { ...n.metadata, labels } };
  });
  if (s.namespaces.length === 0) migration.push("no Namespace documents: every namespace of the scenario counts as labelled istio.io/dataplane-mode=ambient (docs/ambient-config.md)");
  return { scenario: { ...s, namespaces }, migration };
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/** The `analyze` messages of the ambient scenario that the sidecar one does not have (with their time span). */
export function ambientFindings(sidecar: Scenario, ambient: Scenario): ModeFinding[] {
  const span = (t: { fromMs: number; untilMs: number | undefined }) =>
    t.fromMs === 0 && t.untilMs === undefined ? undefined : t.untilMs === undefined ? `from ${seconds(t.fromMs)}` : `from ${seconds(t.fromMs)} to ${seconds(t.untilMs)}`;
  const key = (t: { message: ModeFinding; fromMs: number; untilMs: number | undefined }) => `${formatMessage(t.message)} ${span(t) ?? ""}`;
  const before = new Set(analyzeTimeline(sidecar).map(key));
  const seen = new Set<string>();
  const out: ModeFinding[] = [];
  for (const t of analyzeTimeline(ambient)) {
    // Replaced at the instant it appeared (a timeline step at 0 s): it never held.
    if (t.untilMs === t.fromMs) continue;
    const k = key(t);
    if (before.has(k) || seen.has(k)) continue;
    seen.add(k);
    const when = span(t);
    out.push(when === undefined ? { ...t.message } : { ...t.message, when });
  }
  return out;
}

export interface LoadedMode { readonly mode: MeshMode; readonly scenario: Scenario }

export interface MeshModes {
  readonly modes: readonly LoadedMode[];
  readonly findings: readonly ModeFinding[];
  readonly migration: readonly string[];
  /** The ambient scenario's loader warnings on spec.mesh (what meshsim does not model there). */
  readonly notes: readonly string[];
}

/** The three scenarios and what ambient changes in their config; bad input throws before any run. */
export function loadMeshModes(file: string, overrides: readonly Override[], load: Omit<LoadOptions, "overrides">): MeshModes {
  const loaded = MESH_MODES.map((mode) => ({ mode, ...modeScenario(file, mode, overrides, load) }));
  const sidecar = loaded.find((l) => l.mode === "sidecar")!;
  const ambient = loaded.find((l) => l.mode === "ambient")!;
  return {
    modes: loaded.map((l) => ({ mode: l.mode, scenario: l.scenario })),
    findings: ambientFindings(sidecar.scenario, ambient.scenario),
    migration: ambient.migration,
    notes: ambient.scenario.warnings.filter((w) => w.path.startsWith("spec.mesh")).map((w) => `${w.path}: ${w.message}`),
  };
}

/** Run one mode's scenario in this process. */
export function runMode(m: LoadedMode, run: { seed?: number | undefined; durationMs?: number | undefined }): RunOutcome {
  const opts: { seed?: number; durationMs?: number } = {};
  if (run.seed !== undefined) opts.seed = run.seed;
  if (run.durationMs !== undefined) opts.durationMs = run.durationMs;
  return runScenario(m.scenario, opts);
}
