// An app's new TCP connection to its own sidecar: what it costs before the first request can leave,
// and the socket that names it (the kernel's SO_REUSEPORT hash of its 4-tuple picks the Envoy worker).
// Used by closed-loop load generators' (re)dials and by call steps with `connection: perCall`.

/**
 * A dial to the client's own sidecar (connect() returns once the SYN-ACK is back): fortio measured
 * 36–49 µs, mean 42 µs, for the 4 dials of `fortio load -c 2 -qps 0 -n 20` on Istio with mTLS (2024,
 * fortio 1.60.3: "connection timing : count 2 avg 4.248e-05 ... count 2 avg 4.23905e-05"), 27–74 µs
 * for 20 of the 21 of its `-c 3 -n 30` run. The run's output, verbatim, is quoted in
 * docs/docs-vs-source.md ("Circuit breaking at -c 2 and -c 3").
 */
export const FORTIO_DIAL_MS = 0.042;

/** A socket id at or above 0 whose value mod any small worker count is uniform (a random 30-bit integer). */
export const SOCKET_ID_SPAN = 2 ** 30;
