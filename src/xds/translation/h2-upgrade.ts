// Whether an outbound cluster speaks HTTP/2 to its hosts: an HTTP/2 or gRPC port always does; another
// port is upgraded by the DestinationRule's `h2UpgradePolicy`, else by MeshConfig's mesh-wide one
// (which reaches only ports declared HTTP). Inbound clusters are never upgraded.
// istio/istio pilot/pkg/networking/core/cluster_traffic_policy.go (applyTrafficPolicy, applyH2Upgrade,
// shouldH2Upgrade), cluster_builder.go (buildCluster: setUpstreamProtocol runs first; setH2Options
// leaves a cluster alone that already has upstream protocol options).
import type { ConnectionPoolSettings, H2UpgradePolicy } from "../../proxy/api/networking.js";
import { isHttp2Protocol, isHttpProtocol, type PortProtocol } from "./port-protocol.js";

/** shouldH2Upgrade: the DR's policy first (useClientProtocol vetoes it), then the mesh's on HTTP ports. */
export function shouldH2Upgrade(port: PortProtocol, mesh: H2UpgradePolicy | undefined, cp: ConnectionPoolSettings | undefined): boolean {
  const http = cp?.http;
  if (http !== undefined) {
    if (http.useClientProtocol === true) return false;
    if (http.h2UpgradePolicy === "UPGRADE") return true;
    if (http.h2UpgradePolicy === "DO_NOT_UPGRADE") return false;
  }
  // DEFAULT (or none) falls back to MeshConfig, which never upgrades a port not declared HTTP: with
  // sniffing, the server's app would get HTTP/2 it may not speak.
  if (!isHttpProtocol(port)) return false;
  return mesh === "UPGRADE";
}

/**
 * The outbound cluster is explicit HTTP/2. A port left to sniffing (unnamed) gets
 * use_downstream_protocol on a sidecar before the traffic policy is applied, and setH2Options then
 * changes nothing, so even a DestinationRule's UPGRADE leaves it alone there (not at a gateway).
 */
export function outboundHttp2(port: PortProtocol, gateway: boolean, mesh: H2UpgradePolicy | undefined, cp: ConnectionPoolSettings | undefined): boolean {
  if (isHttp2Protocol(port)) return true;
  if (port === "UnsupportedProtocol" && !gateway) return false;
  return shouldH2Upgrade(port, mesh, cp);
}
