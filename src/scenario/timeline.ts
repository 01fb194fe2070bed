// `spec.timeline` of the Simulation: changes during the run, sorted by time (stable).
import { dirname, resolve } from "node:path";
import type { AnyResource, TimelineAction, TimelineEvent } from "./model.js";
import { DEFAULTS } from "./defaults.js";
import { readDistribution } from "./distribution.js";
import type { LoadState } from "./load-state.js";
import { readDocument } from "./resource-reader.js";
import { GROUPED_KINDS, KINDS, type KindEntry } from "./resource-kinds.js";
import { readYamlFile } from "./source-file.js";
import type { YamlMap, YamlValue } from "./yaml-value.js";
import { checkTopologyName, readTopologyAction, TOPOLOGY_ACTIONS } from "./topology-timeline.js";

/** The namespace of ambient's ztunnel DaemonSet. */
const ZTUNNEL_NAMESPACE = "istio-system";

/** A ztunnel pod's name: `ztunnel-<node>` for a Node of the scenario, `ztunnel-node` without Nodes (mesh/ztunnel/ztunnel-daemonset.ts). */
function isZtunnelPodName(name: string, nodes: readonly string[]): boolean {
  return nodes.length === 0 ? name === "ztunnel-node" : nodes.some((n) => name === `ztunnel-${n}`);
}

const ACTIONS = ["apply", "delete", "kill", "crash", "scale", "rollout", "set", "controlPlane", ...TOPOLOGY_ACTIONS] as const;

export interface TimelineContext {
  state: LoadState;
  /** Absolute path of the Simulation's file; `apply.file` is relative to it. */
  simulationFile: string;
  /** Namespace for delete/kill/scale/set without one: the Simulation's own. */
  namespace: string;
  durationMs: number;
}

export function readTimeline(v: YamlValue, tc: TimelineContext): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const item of v.list() ?? []) {
    const m = item.map();
    if (!m) continue;
    const atV = m.req("at");
    const atMs = atV?.duration();
    if (atMs !== undefined && atMs > tc.durationMs) atV!.warn("is after the end of the run; this change never happens");
    const which = m.exclusive(ACTIONS, true) as (typeof ACTIONS)[number] | undefined;
    const action = which ? readAction(which, m.get(which)!, tc) : undefined;
    m.done();
    if (atMs !== undefined && action) events.push({ atMs, action, pos: item.pos });
  }
  // Array.prototype.sort is stable: events at the same time keep their written order.
  return events.sort((a, b) => a.atMs - b.atMs);
}

function readAction(which: (typeof ACTIONS)[number], v: YamlValue, tc: TimelineContext): TimelineAction | undefined {
  switch (which) {
    case "apply": return readApply(v, tc);
    case "drain": case "notReady": case "ready": case "partition": case "heal":
      return readTopologyAction(which, v, tc.state);
    case "controlPlane": {
      const state = v.oneOf(["up", "down"] as const);
      return state && { kind: "controlPlane", state };
    }
    default: {
      const m = v.map();
      if (!m) return undefined;
      const nsV = m.get("namespace");
      const namespace = nsV?.nonEmptyStr() ?? tc.namespace;
      const action = which === "delete" ? readDelete(m, namespace, tc)
        : which === "kill" ? readKill(m, namespace, tc)
          : which === "crash" ? readCrash(m, namespace, tc)
            : which === "scale" ? readScale(m, namespace, tc)
              : which === "rollout" ? readRollout(m, namespace, tc)
                : readSet(m, namespace, tc);
      m.done();
      return action;
    }
  }
}

function readApply(v: YamlValue, tc: TimelineContext): TimelineAction | undefined {
  const resources: AnyResource[] = [];
  const before = tc.state.sink.errors.length;
  const take = (root: YamlValue) => {
    for (const r of readDocument(root, tc.state)) {
      if (r.kind === "resource") resources.push(r.resource);
      else root.error("a Simulation cannot be applied from the timeline");
    }
  };
  if (v.isList) {
    for (const item of v.list()!) take(item);
  } else {
    const m = v.map();
    if (!m) return undefined;
    if (m.has("file") && !m.has("kind")) {
      const fV = m.get("file")!;
      const file = fV.nonEmptyStr();
      m.done();
      if (file === undefined) return undefined;
      const abs = resolve(dirname(tc.simulationFile), file);
      const docs = readYamlFile(abs, tc.state.sink, { pos: fV.pos, path: fV.path }, undefined, tc.state.access);
      if (!docs) return undefined;
      for (const d of docs) take(d);
      if (docs.length === 0) fV.warn("the file holds no resources");
    } else {
      take(v);
    }
  }
  return tc.state.sink.errors.length > before ? undefined : { kind: "apply", resources };
}

/**
 * The kind a `delete` names: meshsim's own kinds, Istio's and Kubernetes' by kind; Gateway API's by
 * kind too (HTTPRoute, GRPCRoute, ReferenceGrant, GatewayClass), and its Gateway with `apiVersion:
 * gateway.networking.k8s.io/v1` (without it, `Gateway` is Istio's).
 */
function deleteKind(kind: string, apiVersion: string | undefined): { tag: string; entry: KindEntry } | undefined {
  const group = apiVersion !== undefined && apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : undefined;
  const grouped = Object.entries(GROUPED_KINDS).find(([k]) => k.endsWith(`/${kind}`) && (group === undefined ? kind !== "Gateway" : k === `${group}/${kind}`));
  if (grouped !== undefined) return { tag: kind === "Gateway" ? "KubernetesGateway" : kind, entry: grouped[1] };
  const entry = KINDS[kind];
  return entry !== undefined && (group === undefined || entry.group === group) ? { tag: kind, entry } : undefined;
}

function readDelete(m: YamlMap, namespace: string, tc: TimelineContext): TimelineAction | undefined {
  const kindV = m.req("kind");
  const kindText = kindV?.nonEmptyStr();
  const apiVersion = m.has("apiVersion") ? m.get("apiVersion")?.nonEmptyStr() : undefined;
  const nameV = m.req("name");
  const name = nameV?.nonEmptyStr();
  if (kindText === "Node") return kindV!.error("a Node cannot be deleted from the timeline: use drain, notReady or kill with {node: NAME}");
  const found = kindText === undefined ? undefined : deleteKind(kindText, apiVersion);
  if (kindText !== undefined && found === undefined) {
    const kinds = [...Object.keys(KINDS).filter((k) => k !== "Node"), ...Object.keys(GROUPED_KINDS).map((k) => k.slice(k.lastIndexOf("/") + 1)).filter((k) => k !== "Gateway")];
    return kindV!.error(`cannot delete kind ${JSON.stringify(kindText)}${apiVersion !== undefined ? ` of ${apiVersion}` : ""} (one of ${kinds.join(", ")}; a Gateway API Gateway with apiVersion: gateway.networking.k8s.io/v1)`);
  }
  if (found === undefined || name === undefined) return undefined;
  const kind = found.tag;
  const ns = found.entry.clusterScoped ? "" : namespace;
  tc.state.defer(() => {
    if (!tc.state.resources.some((r) => r.kind === kind && r.metadata.name === name && r.metadata.namespace === ns)) {
      nameV!.error(`no ${kind} ${JSON.stringify(name)}${ns ? ` in namespace ${JSON.stringify(ns)}` : ""} to delete`);
    }
  });
  return { kind: "delete", resourceKind: kind, name, namespace: ns };
}

function checkDeployment(v: YamlValue, name: string, namespace: string, tc: TimelineContext): void {
  tc.state.defer(() => {
    if (!tc.state.find("Deployment", name, namespace)) v.error(`no Deployment ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)}`);
  });
}

/** The pods a kill or crash hits: `{pod: NAME}` or `{deployment: NAME, count: N}`. */
function readPodTarget(m: YamlMap, namespace: string, tc: TimelineContext, defaultCount: number): { deployment?: string; pod?: string; count: number } | undefined {
  const which = m.exclusive(["deployment", "pod"], true);
  if (!which) { m.ignore("count"); return undefined; }
  const v = m.get(which)!;
  const name = v.nonEmptyStr();
  if (which === "pod") {
    if (m.has("count")) m.get("count")!.error("count applies to `deployment`, not to `pod`");
    if (name === undefined) return undefined;
    // Pods are named <deployment>-<index> (scenario-format.md).
    tc.state.defer(() => {
      const ok = tc.state.ofKind("Deployment").some((d) => d.metadata.namespace === namespace && new RegExp(`^${d.metadata.name.replace(/[.]/g, "\\.")}-\\d+$`).test(name))
        // ambient's ztunnel DaemonSet pods: ztunnel-<node> (ztunnel-node without Node documents).
        || (namespace === ZTUNNEL_NAMESPACE && isZtunnelPodName(name, tc.state.ofKind("Node").map((n) => n.metadata.name)));
      if (!ok) v.error(`no pod ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)} (pods are named <deployment>-<index>)`);
    });
    return { pod: name, count: defaultCount };
  }
  const count = m.get("count")?.int({ min: 1 }) ?? defaultCount;
  if (name === undefined) return undefined;
  checkDeployment(v, name, namespace, tc);
  return { deployment: name, count };
}

function readKill(m: YamlMap, namespace: string, tc: TimelineContext): TimelineAction | undefined {
  const network = m.get("network")?.oneOf(["refuse", "blackhole"] as const) ?? DEFAULTS.timeline.killNetwork;
  // `{zone: Z}` / `{node: N}`: every pod there (topology-timeline.ts checks the name).
  const where = m.present(["zone", "node"]);
  if (where.length > 0) {
    m.exclusive(["deployment", "pod", "zone", "node"]);
    const key = where[0] as "zone" | "node";
    const name = checkTopologyName(key, m.get(key)!, tc.state);
    if (m.has("count")) m.get("count")!.error("count applies to `deployment`, not to `zone` or `node`");
    return name === undefined ? undefined : { kind: "kill", count: 0, namespace, network, [key]: name };
  }
  const target = readPodTarget(m, namespace, tc, DEFAULTS.timeline.killCount);
  return target && { kind: "kill", ...target, namespace, network };
}

/**
 * `crash: {deployment: X, count: N, crashAfter: D, times: K}`: the app container of N pods exits; the
 * kubelet restarts it with CrashLoopBackOff. With crashAfter, each restarted container crashes again
 * after running that long (a distribution), K crashes in all when `times` is given.
 */
function readCrash(m: YamlMap, namespace: string, tc: TimelineContext): TimelineAction | undefined {
  const caV = m.get("crashAfter");
  const crashAfter = caV ? readDistribution(caV) : undefined;
  const timesV = m.get("times");
  const times = timesV?.int({ min: 1 });
  const target = readPodTarget(m, namespace, tc, DEFAULTS.timeline.crashCount);
  if (!target || (caV && !crashAfter) || (timesV && times === undefined)) return undefined;
  const action: Extract<TimelineAction, { kind: "crash" }> = { kind: "crash", ...target, namespace };
  if (crashAfter) action.crashAfter = crashAfter;
  if (times !== undefined) action.times = times;
  return action;
}

function readScale(m: YamlMap, namespace: string, tc: TimelineContext): TimelineAction | undefined {
  const v = m.req("deployment");
  const deployment = v?.nonEmptyStr();
  const replicas = m.req("replicas")?.int({ min: 0 });
  if (deployment === undefined || replicas === undefined) return undefined;
  checkDeployment(v!, deployment, namespace, tc);
  return { kind: "scale", deployment, replicas, namespace };
}

/** `kubectl rollout restart deployment/NAME`: `{deployment: NAME}`. */
function readRollout(m: YamlMap, namespace: string, tc: TimelineContext): TimelineAction | undefined {
  const v = m.req("deployment");
  const deployment = v?.nonEmptyStr();
  if (deployment === undefined) return undefined;
  checkDeployment(v!, deployment, namespace, tc);
  return { kind: "rollout", deployment, namespace };
}

function readSet(m: YamlMap, namespace: string, tc: TimelineContext): TimelineAction | undefined {
  const v = m.req("workload");
  const workload = v?.nonEmptyStr();
  const erV = m.get("errorRate");
  const errorRate = erV?.num({ min: 0, max: 1 });
  const stV = m.get("serviceTime");
  const serviceTime = stV ? readDistribution(stV) : undefined;
  if (!erV && !stV) return m.error("set needs errorRate or serviceTime");
  if (workload === undefined || (erV && errorRate === undefined) || (stV && !serviceTime)) return undefined;
  tc.state.defer(() => {
    if (!tc.state.find("Workload", workload, namespace)) v!.error(`no Workload ${JSON.stringify(workload)} in namespace ${JSON.stringify(namespace)}`);
  });
  const action: Extract<TimelineAction, { kind: "set" }> = { kind: "set", workload, namespace };
  if (errorRate !== undefined) action.errorRate = errorRate;
  if (serviceTime) action.serviceTime = serviceTime;
  return action;
}
