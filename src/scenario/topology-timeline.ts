// Timeline faults of nodes and zones: `drain: {zone|node}`, `notReady: {zone|node}`,
// `ready: {zone|node}`, `partition: {zones: [a, b]}`, `heal: {zones: [a, b]}`. A zone or node
// that no Node has is an error (exit 2).
import { ZONE_LABEL } from "./kinds/node.js";
import type { LoadState } from "./load-state.js";
import type { TimelineAction } from "./model.js";
import type { YamlValue } from "./yaml-value.js";

export const TOPOLOGY_ACTIONS = ["drain", "notReady", "ready", "partition", "heal"] as const;

/** A zone or node name, checked against the scenario's nodes once every document is read. */
export function checkTopologyName(key: "zone" | "node", v: YamlValue, state: LoadState): string | undefined {
  const name = v.nonEmptyStr();
  if (name === undefined) return undefined;
  state.defer(() => {
    const nodes = state.ofKind("Node");
    const known = key === "node" ? nodes.map((n) => n.metadata.name) : [...new Set(nodes.map((n) => n.metadata.labels[ZONE_LABEL]).filter((z): z is string => z !== undefined))];
    if (!known.includes(name)) {
      v.error(nodes.length === 0 ? `no ${key} ${JSON.stringify(name)}: the scenario has no Node` : `no ${key} ${JSON.stringify(name)} (known: ${known.join(", ")})`);
    }
  });
  return name;
}

export function readTopologyAction(which: (typeof TOPOLOGY_ACTIONS)[number], v: YamlValue, state: LoadState): TimelineAction | undefined {
  const m = v.map();
  if (!m) return undefined;
  if (which === "partition" || which === "heal") {
    const zV = m.req("zones");
    const zones = zV?.list()?.map((x) => checkTopologyName("zone", x, state)) ?? [];
    m.done();
    if (zV === undefined || zones.some((z) => z === undefined)) return undefined;
    if (new Set(zones).size < 2) return zV.error("needs at least two different zones");
    return { kind: "partition", zones: zones as string[], heal: which === "heal" };
  }
  const key = m.exclusive(["zone", "node"], true) as "zone" | "node" | undefined;
  const name = key === undefined ? undefined : checkTopologyName(key, m.get(key)!, state);
  m.done();
  if (key === undefined || name === undefined) return undefined;
  if (which === "drain") return { kind: "drain", [key]: name };
  return { kind: "nodeCondition", [key]: name, ready: which === "ready" };
}
