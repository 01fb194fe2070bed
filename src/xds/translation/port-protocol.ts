// Istio's protocol of a port: a Kubernetes Service port's from its appProtocol, else its name's prefix
// (`http2-web` is HTTP2, `grpc-web` GRPC-Web, an unnamed or unknown one is left to protocol
// sniffing); a ServiceEntry port's from its `protocol` field. It decides the upstream protocol of the
// port's clusters (explicit HTTP/2, or the caller's under sniffing) and whether MeshConfig's
// h2UpgradePolicy applies.
// istio/istio pkg/config/kube/conversion.go (ConvertProtocol), pkg/config/protocol/instance.go
// (Parse, IsHTTP, IsHTTP2, IsGRPC); https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
import type { ServicePort } from "../../scenario/model.js";

export type PortProtocol =
  | "GRPC" | "GRPC-Web" | "HTTP" | "HTTP_PROXY" | "HTTP2" | "HTTPS" | "TCP" | "TLS" | "UDP"
  | "Mongo" | "Redis" | "MySQL" | "UnsupportedProtocol";

/** A protocol name, case-insensitively (protocol.Parse); anything else is left to sniffing. */
export function parseProtocol(s: string): PortProtocol {
  switch (s.toLowerCase()) {
    case "tcp": return "TCP";
    case "udp": return "UDP";
    case "grpc": return "GRPC";
    case "grpc-web": return "GRPC-Web";
    case "http": return "HTTP";
    case "http_proxy": return "HTTP_PROXY";
    case "http2": return "HTTP2";
    case "https": return "HTTPS";
    case "tls": return "TLS";
    case "mongo": return "Mongo";
    case "redis": return "Redis";
    case "mysql": return "MySQL";
    default: return "UnsupportedProtocol";
  }
}

/** Ports istiod takes as TCP when nothing names their protocol (SMTP, DNS, MySQL, MongoDB). */
const WELL_KNOWN_TCP_PORTS = new Set([25, 53, 3306, 27017]);

/** A Service port's protocol (ConvertProtocol). */
export function servicePortProtocol(sp: Pick<ServicePort, "port" | "name" | "protocol" | "appProtocol">): PortProtocol {
  if (sp.protocol === "UDP") return "UDP";
  let name = sp.name ?? "";
  if (sp.appProtocol !== undefined) {
    name = sp.appProtocol;
    // Kubernetes' standard appProtocol values (only as appProtocol: a port name cannot hold a '/').
    if (name === "kubernetes.io/h2c") return "HTTP2";
    if (name === "kubernetes.io/ws") return "HTTP";
    if (name === "kubernetes.io/wss") return "HTTPS";
  }
  // "grpc-web" holds a '-': checked before the prefix is cut.
  if (name.length >= 8 && name.slice(0, 8).toLowerCase() === "grpc-web") return "GRPC-Web";
  const dash = name.indexOf("-");
  const p = parseProtocol(dash >= 0 ? name.slice(0, dash) : name);
  return p === "UnsupportedProtocol" && WELL_KNOWN_TCP_PORTS.has(sp.port) ? "TCP" : p;
}

/** Protocol.IsHTTP: carried over HTTP. */
export function isHttpProtocol(p: PortProtocol): boolean {
  return p === "HTTP" || p === "HTTP2" || p === "HTTP_PROXY" || p === "GRPC" || p === "GRPC-Web";
}

/** Protocol.IsHTTP2: the port's clusters are explicit HTTP/2. */
export function isHttp2Protocol(p: PortProtocol): boolean {
  return p === "HTTP2" || p === "GRPC" || p === "GRPC-Web";
}

/** Protocol.IsGRPC. */
export function isGrpcProtocol(p: PortProtocol): boolean {
  return p === "GRPC" || p === "GRPC-Web";
}
