// `meshsim ztunnel-config`: what istiod sent the ztunnels (WDS) at a simulated time, as
// `istioctl ztunnel-config workloads|services|policies|certificates|all` prints it. The world is run
// up to `--at`; what is printed is the translation in xds/translation/ztunnel-config.ts, built from the
// same binding, policy and load-balancing rules the run's ztunnels use. `-o json` is ztunnel's
// config_dump as istioctl decodes it (istioctl/pkg/writer/ztunnel/configdump/api.go).
// https://istio.io/latest/docs/ambient/usage/troubleshoot-ztunnel/
// https://github.com/istio/istio/tree/master/istioctl/pkg/ztunnelconfig
import type { World } from "../mesh/world.js";
import { ztunnelConfig, type ZtunnelConfig } from "../xds/translation/ztunnel-config.js";
import { table, worldAt } from "./inspect-commands.js";
import { UsageError } from "./exit.js";
import { ZTUNNEL_CONFIG_KIND_NAMES } from "./ztunnel-config-kinds.js";

export interface ZtunnelConfigArgs {
  kind: string; scenario: string; at?: string | undefined; output?: string | undefined; node?: string | undefined; namespace?: string | undefined;
}

/** The WDS config istiod holds now for the world's ztunnels. */
export function worldZtunnelConfig(world: World): ZtunnelConfig {
  const s = world.scenario;
  return ztunnelConfig({
    mesh: s.simulation.mesh, namespaces: s.namespaces, deployments: s.deployments, services: s.services, registry: world.registry,
    pods: world.pods.values(), config: world.config, deploymentOf: (p) => world.deploymentOf(p),
  });
}

export function ztunnelConfigCommand(a: ZtunnelConfigArgs): number {
  const kind = ZTUNNEL_CONFIG_KIND_NAMES[a.kind];
  if (kind === undefined) throw new UsageError(`unknown config kind "${a.kind}" (all, workloads, services, policies, certificates)`);
  const world = worldAt(a.scenario, a.at);
  if (world.ambient === null) throw new UsageError(`${a.scenario}: spec.mesh.mode is ${world.scenario.simulation.mesh.mode}: there is no ztunnel (set spec.mesh.mode: ambient, or --set spec.mesh.mode=ambient on run)`);
  const nodes = [...new Set(world.ambient.ztunnels.all.map((z) => z.pod.node ?? ""))];
  if (a.node !== undefined && !nodes.includes(a.node)) throw new UsageError(`--node: no ztunnel on a node named ${a.node} (nodes: ${nodes.filter((n) => n !== "").join(", ") || "none: the scenario has no Node documents"})`);
  const cfg = worldZtunnelConfig(world);
  const onNode = <T extends { node: string }>(xs: readonly T[]) => xs.filter((x) => a.node === undefined || x.node === a.node);
  const inNs = <T extends { namespace: string }>(xs: readonly T[]) => xs.filter((x) => a.namespace === undefined || x.namespace === a.namespace);
  const workloads = inNs(onNode(cfg.workloads));
  const services = inNs(cfg.services);
  const policies = inNs(cfg.policies);
  const certificates = onNode(cfg.certificates);
  if (a.output === "json") {
    // ztunnel's CertsDump: the simulated certificates have no PEM, serial or dates (docs/inspect.md).
    const certs = certificates.map((c) => ({ identity: c.identity, state: c.state, certChain: [] }));
    const out = kind === "workloads" ? workloads : kind === "services" ? services : kind === "policies" ? policies : kind === "certificates" ? certs
      : { workloads, services, policies, certificates: certs };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const parts: [string, string][] = [];
  if (kind === "workloads" || kind === "all") {
    parts.push(["WORKLOADS", table(workloads.map((w) => ({
      namespace: w.namespace, podName: w.name, address: w.workloadIps.join(","), node: w.node === "" ? "-" : w.node,
      waypoint: w.waypoint === undefined ? "None" : w.waypoint.destination.split("/")[1]!.split(".")[0], protocol: w.protocol,
    })), ["namespace", "podName", "address", "node", "waypoint", "protocol"])]);
  }
  if (kind === "services" || kind === "all") {
    parts.push(["SERVICES", table(services.map((s) => {
      const uids = Object.keys(s.endpoints);
      const healthy = uids.filter((u) => cfg.workloads.find((w) => w.uid === u)?.status === "Healthy").length;
      return {
        namespace: s.namespace, serviceName: s.name, serviceVip: s.vips.map((v) => v.replace(/^[^/]*\//, "")).join(","),
        waypoint: s.waypoint === undefined ? "None" : s.waypoint.destination.split("/")[1]!.split(".")[0], endpoints: `${healthy}/${uids.length}`,
      };
    }), ["namespace", "serviceName", "serviceVip", "waypoint", "endpoints"])]);
  }
  if (kind === "policies" || kind === "all") {
    parts.push(["POLICIES", table(policies.map((p) => ({ namespace: p.namespace, policyName: p.name, action: p.action, scope: p.scope })), ["namespace", "policyName", "action", "scope"])]);
  }
  if (kind === "certificates" || kind === "all") {
    parts.push(["CERTIFICATES", table(certificates.map((c) => ({ certificateName: c.identity, node: c.node === "" ? "-" : c.node, type: "Leaf", status: c.state })), ["certificateName", "node", "type", "status"])]);
  }
  process.stdout.write(`${parts.map(([h, t]) => (kind === "all" ? `${h}\n` : "") + t).join("\n\n")}\n`);
  return 0;
}
