// Kubernetes Node (core/v1), read unmodified from `kubectl get node -o yaml`: name, labels (the
// topology labels Istio reads a pod's locality from), spec.unschedulable, status.allocatable; and the
// Simulation's `nodes` shorthand (N nodes per zone).
// https://kubernetes.io/docs/reference/kubernetes-api/cluster-resources/node-v1/
// https://kubernetes.io/docs/reference/labels-annotations-taints/#topologykubernetesiozone
import type { ObjectMeta } from "../../proxy/api/networking.js";
import type { Node, SourcePos } from "../model.js";
import type { LoadState } from "../load-state.js";
import { parseCpuMillis } from "../quantity.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";

export const REGION_LABEL = "topology.kubernetes.io/region";
export const ZONE_LABEL = "topology.kubernetes.io/zone";
export const SUBZONE_LABEL = "topology.istio.io/subzone";
export const HOSTNAME_LABEL = "kubernetes.io/hostname";

const SPEC_IGNORED = ["podCIDR", "podCIDRs", "providerID", "externalID", "configSource"];

/** A CPU quantity written as a string ("3500m") or a number (4). */
export function readCpu(v: YamlValue): number | undefined {
  if (v.isNumber) {
    const n = v.num({ min: 0 });
    return n === undefined ? undefined : n * 1000;
  }
  const s = v.str();
  if (s === undefined) return undefined;
  try {
    return parseCpuMillis(s);
  } catch (e) {
    return v.error((e as Error).message);
  }
}

/** A count written as a string ("110", as the API server prints it) or a number. */
function readCount(v: YamlValue): number | undefined {
  if (v.isNumber) return v.int({ min: 0 });
  const s = v.str();
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s)) return v.error(`expected a whole number, got ${JSON.stringify(s)}`);
  return Number(s);
}

export function readNode(doc: YamlMap, metadata: ObjectMeta, pos: SourcePos): Node {
  const spec = doc.get("spec")?.map();
  const unschedulable = spec?.get("unschedulable")?.bool() ?? false;
  // Taints are not modelled: say so rather than schedule onto a node Kubernetes would keep pods off.
  const taints = spec?.get("taints");
  if (taints !== undefined && (taints.list()?.length ?? 0) > 0) taints.warn("taints are not modelled: pods are scheduled here as if they tolerated them");
  spec?.ignore(...SPEC_IGNORED);
  spec?.done();
  // status is the kubelet's report; only allocatable matters to the scheduler (the rest is ignored).
  const alloc = doc.get("status")?.map()?.get("allocatable")?.map();
  const cpuV = alloc?.get("cpu");
  const memV = alloc?.get("memory");
  const podsV = alloc?.get("pods");
  return {
    kind: "Node", metadata,
    allocatableCpuMillis: (cpuV && readCpu(cpuV)) ?? Infinity,
    allocatableMemoryBytes: (memV && (memV.isNumber ? memV.num({ min: 0 }) : memV.bytes())) ?? Infinity,
    allocatablePods: (podsV && readCount(podsV)) ?? Infinity,
    unschedulable,
    pos,
  };
}

/**
 * `spec.nodes` of the Simulation: `[{region, zone, subzone?, count, cpu?, memory?, pods?, labels?}]`,
 * each entry `count` nodes named `<zone>-<i>` (or `node-<i>` without a zone), labelled as a cloud
 * provider labels them (region, zone, hostname).
 */
export function readNodeShorthand(v: YamlValue, state: LoadState): Node[] {
  const out: Node[] = [];
  for (const ev of v.list() ?? []) {
    const m = ev.map();
    if (!m) continue;
    const region = m.get("region")?.nonEmptyStr();
    const zone = m.get("zone")?.nonEmptyStr();
    const subzone = m.get("subzone")?.nonEmptyStr();
    const count = m.get("count")?.int({ min: 1 }) ?? 1;
    const cpuV = m.get("cpu");
    const memV = m.get("memory");
    const cpu = (cpuV && readCpu(cpuV)) ?? Infinity;
    const mem = (memV && (memV.isNumber ? memV.num({ min: 0 }) : memV.bytes())) ?? Infinity;
    const pods = m.get("pods")?.int({ min: 1 }) ?? Infinity;
    const extra = m.get("labels")?.strMap() ?? {};
    m.done();
    const prefix = [zone ?? "node", subzone].filter((x) => x !== undefined).join("-");
    for (let i = 0; i < count; i++) {
      const name = `${prefix}-${i}`;
      const labels: Record<string, string> = { ...extra, [HOSTNAME_LABEL]: name };
      if (region !== undefined) labels[REGION_LABEL] = region;
      if (zone !== undefined) labels[ZONE_LABEL] = zone;
      if (subzone !== undefined) labels[SUBZONE_LABEL] = subzone;
      const metadata: ObjectMeta = { name, namespace: "", labels, annotations: {}, creationIndex: state.takeCreationIndex() };
      out.push({ kind: "Node", metadata, allocatableCpuMillis: cpu, allocatableMemoryBytes: mem, allocatablePods: pods, unschedulable: false, pos: ev.pos });
    }
  }
  return out;
}

/**
 * Istio's locality of a pod on a node: region/zone/subzone from the node's labels (the GA labels,
 * else the deprecated failure-domain.beta ones), "" when it has none of them.
 * istio/istio pilot/pkg/serviceregistry/kube/controller/controller.go (getPodLocality)
 */
export function nodeLocality(n: Node): string {
  const l = n.metadata.labels;
  const r = l[REGION_LABEL] ?? l["failure-domain.beta.kubernetes.io/region"] ?? "";
  const z = l[ZONE_LABEL] ?? l["failure-domain.beta.kubernetes.io/zone"] ?? "";
  const s = l[SUBZONE_LABEL] ?? "";
  return r === "" && z === "" && s === "" ? "" : `${r}/${z}/${s}`;
}
