// ztunnel's access log: one line per TCP connection, written when the connection completes, by each
// ztunnel it passes (the source's `direction="outbound"`, the destination's `direction="inbound"`), in
// ztunnel's text format (tracing's `key=value` fields after `INFO access: connection complete`). Empty
// fields are left out, as ztunnel does; `src.identity`/`dst.identity` only over mTLS;
// `src.cluster`/`dst.cluster` (the workload's cluster ID, "Kubernetes" in a single-cluster mesh) when
// ztunnel knows that workload; bytes are the connection's as the logging ztunnel counts them (the
// metric's source-side flip undone).
// https://github.com/istio/ztunnel/blob/62d82653/src/proxy/metrics.rs#L763-L801
// https://github.com/istio/ztunnel/blob/62d82653/README.md#logging
import { LOG_EPOCH_MS } from "./log-epoch.js";

/** What one ztunnel knows of one connection when it closes. */
export interface ZtunnelAccessLogEntry {
  readonly startMs: number;
  readonly endMs: number;
  readonly direction: "outbound" | "inbound";
  /** ip:port */
  readonly srcAddr: string;
  readonly srcWorkload: string;
  readonly srcNamespace: string;
  /** SPIFFE ID, "" when not mTLS. */
  readonly srcIdentity: string;
  /** ip:port the connection went to (15008 for HBONE). */
  readonly dstAddr: string;
  /** The HBONE target (ip:port), "" without HBONE. */
  readonly dstHboneAddr: string;
  readonly dstService: string;
  readonly dstWorkload: string;
  readonly dstNamespace: string;
  readonly dstIdentity: string;
  readonly bytesSent: number;
  readonly bytesRecv: number;
}

/** The time as tracing-subscriber prints it: RFC 3339, UTC, microseconds. */
function timestamp(simMs: number): string {
  const us = Math.floor(simMs * 1000);
  const ms = Math.floor(us / 1000);
  return `${new Date(LOG_EPOCH_MS + ms).toISOString().slice(0, 23)}${String(us - ms * 1000).padStart(3, "0")}Z`;
}

const quoted = (k: string, v: string): string => (v === "" ? "" : ` ${k}="${v}"`);

/** Istio's default cluster ID (values.global.multiCluster.clusterName) of a workload ztunnel knows. */
const clusterOf = (workload: string): string => (workload === "" ? "" : "Kubernetes");

/** One access-log line (with its line feed). */
export function formatZtunnelAccessLine(e: ZtunnelAccessLogEntry): string {
  return `${timestamp(e.endMs)}  INFO access: connection complete src.addr=${e.srcAddr}` +
    `${quoted("src.workload", e.srcWorkload)}${quoted("src.namespace", e.srcNamespace)}${quoted("src.identity", e.srcIdentity)}${quoted("src.cluster", clusterOf(e.srcWorkload))}` +
    ` dst.addr=${e.dstAddr}${e.dstHboneAddr === "" ? "" : ` dst.hbone_addr=${e.dstHboneAddr}`}` +
    `${quoted("dst.service", e.dstService)}${quoted("dst.workload", e.dstWorkload)}${quoted("dst.namespace", e.dstNamespace)}${quoted("dst.identity", e.dstIdentity)}${quoted("dst.cluster", clusterOf(e.dstWorkload))}` +
    ` direction="${e.direction}" bytes_sent=${e.bytesSent} bytes_recv=${e.bytesRecv} duration="${Math.floor(e.endMs - e.startMs)}ms"\n`;
}
