// What a proxy holds from LDS: the listeners istiod gives a sidecar — virtualOutbound (15001, where
// iptables sends the app's connections), virtualInbound (15006), and one HTTP listener per outbound
// port (0.0.0.0_9080, whose routes are RDS "9080"); a gateway gets one listener per Gateway server port.
// https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/listener/v3/listener.proto
// istio/istio pilot/pkg/networking/core/listener.go
export interface Listener {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly direction: "OUTBOUND" | "INBOUND";
  /** The RDS route configuration its HTTP connection manager uses ("" for the virtual listeners). */
  readonly routeConfigName: string;
  /** Where a connection no filter chain takes goes ("" when every connection has a chain). */
  readonly defaultCluster: string;
}
