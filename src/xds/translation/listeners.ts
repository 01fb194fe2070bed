// LDS: a sidecar's listeners — virtualOutbound on 15001 (iptables' REDIRECT target; it hands each
// connection to the listener of its original destination port, else PassthroughCluster),
// virtualInbound on 15006, and 0.0.0.0_<port> per outbound HTTP port whose routes are RDS "<port>".
// A gateway listens on its Gateway's server ports.
// istio/istio pilot/pkg/networking/core/listener.go; https://istio.io/latest/docs/ops/diagnostic-tools/proxy-cmd/
import type { Listener } from "../../proxy/config/listener.js";
import type { RouteConfiguration } from "../../proxy/config/virtual-host.js";
import type { ProxyInput } from "./proxy-input.js";

export function listeners(p: ProxyInput, routes: readonly RouteConfiguration[]): Listener[] {
  const out: Listener[] = [];
  if (p.pod.gateway === undefined) {
    out.push(
      { name: "virtualOutbound", address: "0.0.0.0", port: 15001, direction: "OUTBOUND", routeConfigName: "", defaultCluster: "PassthroughCluster" },
      { name: "virtualInbound", address: "0.0.0.0", port: 15006, direction: "INBOUND", routeConfigName: "", defaultCluster: "InboundPassthroughCluster" },
    );
  }
  for (const rc of routes) {
    out.push({ name: `0.0.0.0_${rc.name}`, address: "0.0.0.0", port: Number(rc.name), direction: "OUTBOUND", routeConfigName: rc.name, defaultCluster: "" });
  }
  return out;
}
