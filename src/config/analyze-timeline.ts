// Analysis over a scenario's whole timeline: the initial config and every version an `apply` or
// `delete` step makes, so a mistake that exists only for a while (a VirtualService applied before
// its DestinationRule) is reported with the simulated times it holds.
import type { Scenario } from "../scenario/model.js";
import { analyze, formatMessage, type AnalysisMessage, type ClusterView } from "./analyze.js";
import { applyResources, deleteResource, initialConfig } from "./mesh-config.js";

export interface TimedMessage {
  readonly message: AnalysisMessage;
  readonly fromMs: number;
  /** When a later change resolved it; undefined: still there at the end. */
  readonly untilMs: number | undefined;
}

export function clusterView(s: Scenario): ClusterView {
  const services = new Map(s.services.map((svc) => [
    `${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`,
    svc.ports.map((p) => ({ port: p.port, targetPort: p.targetPort })),
  ]));
  const zones = new Set((s.nodes ?? []).map((n) => n.metadata.labels["topology.kubernetes.io/zone"] ?? "")).size;
  const ambient = { mesh: s.simulation.mesh, namespaces: s.namespaces, services: s.services, deployments: s.deployments };
  return { deployments: s.deployments, services, zones, ambient };
}

export function analyzeTimeline(s: Scenario): TimedMessage[] {
  const cluster = clusterView(s);
  const open = new Map<string, { message: AnalysisMessage; fromMs: number }>();
  const out: TimedMessage[] = [];
  const note = (atMs: number, messages: AnalysisMessage[]): void => {
    const now = new Map(messages.map((m) => [formatMessage(m), m]));
    for (const [k, o] of open) {
      if (now.has(k)) continue;
      out.push({ ...o, untilMs: atMs });
      open.delete(k);
    }
    for (const [k, m] of now) if (!open.has(k)) open.set(k, { message: m, fromMs: atMs });
  };
  let config = initialConfig(s);
  note(0, analyze(config, cluster));
  for (const step of s.simulation.timeline) {
    const a = step.action;
    if (a.kind === "apply") config = applyResources(config, a.resources).config;
    else if (a.kind === "delete") config = deleteResource(config, a.resourceKind, a.name, a.namespace);
    else continue;
    note(step.atMs, analyze(config, cluster));
  }
  for (const o of open.values()) out.push({ ...o, untilMs: undefined });
  return out.sort((x, y) => x.fromMs - y.fromMs);
}
