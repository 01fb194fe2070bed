// A new upstream mTLS connection is usable only once both sides have done their handshake's CPU: the
// server's sidecar answers the ClientHello after its key exchange and certificate signature, and the
// client's Envoy raises `Connected` (which attaches the pending request) only when its own side is done
// (envoyproxy/envoy source/common/tls/ssl_socket.cc, SslSocket::onSuccess). Before, meshsim booked the
// handshake CPU on the workers but let the connection come up after the round trips alone.
// And Envoy's upstream TLS context resumes sessions: it keeps max_session_keys (default 1) session
// tickets and offers the newest to each new connection (source/common/tls/context_impl.cc,
// ClientContextImpl::newSsl), so only the first connection to a server pays the full handshake; a
// ticket is of no use with another server (its key is that server's own).
// The server sends its tickets once it has read the client's Finished (google/boringssl
// ssl/tls13_server.cc, do_send_new_session_ticket; before it only with 0-RTT) and the client's Envoy
// stores them when they arrive (SslSocket::doRead processes post-handshake messages): a round trip
// after the connection is up, not with its first response, which meshsim used to wait for.
import { describe, expect, it } from "vitest";
import { runScenario } from "../../src/runner/run-scenario.js";
import type { Summary } from "../../src/report/summary-types.js";
import { scenarioFrom } from "../support/scenario-text.js";

/** One client calling a backend once a second; idleTimeout 1s: every request opens a new connection. */
function run(proxy: string, replicas = 1): Summary {
  return runScenario(
    scenarioFrom(`apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: handshake}
spec:
  seed: 1
  duration: 120s
  network: {latency: 2ms}
  mesh: {proxy: {${proxy}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: backend}
spec:
  host: backend
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    connectionPool: {http: {idleTimeout: 1s}}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {ports: [{name: http, port: 8080}], selector: {app: backend}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: backend}}
  template: {metadata: {labels: {app: backend}}, spec: {containers: [{name: backend, image: b}]}}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: backend}
spec: {selector: {app: backend}, serviceTime: 5ms}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  selector: {matchLabels: {app: client}}
  template: {metadata: {labels: {app: client}}, spec: {containers: [{name: client, image: c}]}}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: client, target: "http://backend:8080/", rate: 1, arrival: constant}
`),
  ).summary;
}

const users = (s: Summary) => s.clients["users"]!;

describe("TLS handshake CPU on the connection's path, and session resumption", () => {
  const none = run("tlsHandshake: 0ms, tlsResumption: 0ms");
  const resumed = run("tlsHandshake: 10ms, tlsResumption: 3ms");

  it("every connection waits for both sides' handshake CPU: the first a full one (2 × 10 ms), later ones resumed (2 × 3 ms)", () => {
    expect(users(none).requests).toBe(users(resumed).requests);
    expect(users(none).requests).toBeGreaterThan(100);
    // The first request's connection: a full handshake on each side.
    expect(users(resumed).latencyMs.max - users(none).latencyMs.max).toBeGreaterThan(19);
    // The rest resume: 6 ms more per request, not 20.
    const extra = users(resumed).latencyMs.mean - users(none).latencyMs.mean;
    expect(extra).toBeGreaterThan(5.8);
    expect(extra).toBeLessThan(6.6);
  });

  it("without resumption (its cost set to the full handshake's) every connection pays 2 × 10 ms", () => {
    const full = run("tlsHandshake: 10ms, tlsResumption: 10ms");
    const extra = users(full).latencyMs.mean - users(none).latencyMs.mean;
    expect(extra).toBeGreaterThan(19.5);
    expect(extra).toBeLessThan(20.5);
  });

  it("a ticket from one backend is no use with the other: alternating backends resume less often", () => {
    const two = run("tlsHandshake: 10ms, tlsResumption: 3ms", 2);
    const twoNone = run("tlsHandshake: 0ms, tlsResumption: 0ms", 2);
    const extra = users(two).latencyMs.mean - users(twoNone).latencyMs.mean;
    expect(extra).toBeGreaterThan(9);
  });

  it("a connection opened while the first one's request is still being served resumes on the ticket that came back a round trip after its handshake", () => {
    // One request at 0 ms opens a connection (a full handshake: 2 × 10 ms, two 2 ms round trips) and
    // holds it for the backend's 100 ms; a second client call at 40 ms needs a connection of its own.
    // The first connection's tickets arrived at ≈ 26 ms: it resumes (2 × 3 ms). Were they read with
    // the first response (≈ 125 ms), its handshake would be a full one (2 × 10 ms).
    const s = runScenario(
      scenarioFrom(`apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: tickets}
spec:
  seed: 1
  duration: 5s
  network: {latency: 1ms}
  mesh: {proxy: {tlsHandshake: 10ms, tlsResumption: 3ms}}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {ports: [{name: http, port: 8080}], selector: {app: backend}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec: {selector: {matchLabels: {app: backend}}, template: {metadata: {labels: {app: backend}}, spec: {containers: [{name: b, image: b}]}}}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: backend}
spec: {selector: {app: backend}, serviceTime: 100ms}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec: {selector: {matchLabels: {app: client}}, template: {metadata: {labels: {app: client}}, spec: {containers: [{name: c, image: c}]}}}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: first}
spec: {from: client, target: "http://backend:8080/", connections: 1, requests: 1, qps: 0}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: second}
spec: {from: client, target: "http://backend:8080/", connections: 1, requests: 1, qps: 0, start: 40ms}
`),
    ).summary;
    const first = s.clients["first"]!.latencyMs.max;
    const second = s.clients["second"]!.latencyMs.max;
    // first: two round trips, 2 × 10 ms, the request's round trip, 100 ms; second: the same with 2 × 3 ms.
    expect(first).toBeGreaterThan(124);
    expect(second).toBeGreaterThan(110);
    expect(first - second).toBeGreaterThan(13);
    expect(first - second).toBeLessThan(15);
  });

  it("a TLS 1.3 ticket is offered once: a connection opened before the last one's tickets are back does a full handshake", () => {
    // Envoy pops a single-use session (TLS 1.3) from the context's one-entry store when it offers it
    // (envoyproxy/envoy source/common/tls/context_impl.cc, ClientContextImpl::newSsl:
    // SSL_SESSION_should_be_single_use ⇒ session_keys_.pop_front()). `first` (0 ms) pays a full
    // handshake; its tickets are back at ≈ 26 ms. `second` (40 ms) takes that ticket and resumes;
    // `third` (41 ms) finds the store empty — second's tickets come a round trip after its own
    // handshake, ≈ 52 ms — and pays the full handshake; `fourth` (80 ms) resumes again. In the
    // circuit-breaking task this is the window in which a refused fortio thread's retry, arriving
    // just after the other thread's connection came up, opens a connection without a ticket
    // (docs/docs-vs-source.md, "Session 16").
    const gen = (name: string, start: string) =>
      `---\napiVersion: meshsim.dev/v1alpha1\nkind: LoadGenerator\nmetadata: {name: ${name}}\nspec: {from: client, target: "http://backend:8080/", connections: 1, requests: 1, qps: 0, start: ${start}}\n`;
    const s = runScenario(
      scenarioFrom(`apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: single-use-tickets}
spec:
  seed: 1
  duration: 5s
  network: {latency: 1ms}
  mesh: {proxy: {tlsHandshake: 10ms, tlsResumption: 3ms}}
---
apiVersion: v1
kind: Service
metadata: {name: backend}
spec: {ports: [{name: http, port: 8080}], selector: {app: backend}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec: {selector: {matchLabels: {app: backend}}, template: {metadata: {labels: {app: backend}}, spec: {containers: [{name: b, image: b}]}}}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: backend}
spec: {selector: {app: backend}, serviceTime: 100ms}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec: {selector: {matchLabels: {app: client}}, template: {metadata: {labels: {app: client}}, spec: {containers: [{name: c, image: c}]}}}
${gen("first", "0ms")}${gen("second", "40ms")}${gen("third", "41ms")}${gen("fourth", "80ms")}`),
    ).summary;
    const ms = (n: string) => s.clients[n]!.latencyMs.max;
    // Measured: 126.7, 117.7, 128.7, 112.4 ms. A full handshake costs 2 × (10 − 3) = 14 ms more than a
    // resumed one; `second`'s request also waits ≈ 5 ms at the server's worker behind `third`'s
    // server-side handshake (10 ms of CPU from 44 ms on). With reusable tickets `third` would resume
    // and end within ≈ 8 ms of `fourth`.
    expect(ms("first") - ms("fourth")).toBeGreaterThan(13);
    expect(ms("third") - ms("fourth")).toBeGreaterThan(14);
    expect(ms("third") - ms("fourth")).toBeLessThan(18);
    expect(ms("second") - ms("fourth")).toBeLessThan(7);
  });
});
