// The server's answer on a DirectExchange (src/mesh/kube/direct-exchange.ts `onResponse`, a client
// with no sidecar calling a pod with one): drawn and scheduled by one call of the path
// (`DirectPath.returnTrip`, docs/performance.md, Goal 3, session 30). The way back is the one-way
// latency from the server's pod to the client's, in that order, and what reaches the caller is the
// server's status, flags and bytes after it; no HTTP answer comes back at once, without a draw.
import { describe, expect, it } from "vitest";
import { Simulator } from "../../src/engine/simulator.js";
import { DirectExchange, DirectPath } from "../../src/mesh/kube/direct-exchange.js";
import type { Network } from "../../src/mesh/network.js";
import type { ServiceRegistry } from "../../src/mesh/kube/service-registry.js";
import type { Inbound } from "../../src/mesh/sidecar/inbound.js";
import type { Responder } from "../../src/mesh/transport.js";

const SERVER = { name: "server" };
const CLIENT = { name: "client" };

/** An exchange from CLIENT to SERVER on a network whose latency is 3 ms that way back and 7 ms the
 *  other way (a swap of the two pods shows). */
function exchange(backMs = 3) {
  const sim = new Simulator();
  let draws = 0;
  const network = {
    between: (from: object | null, to: object | null) => (draws++, from === SERVER && to === CLIENT ? backMs : 7),
  } as unknown as Network;
  const path = new DirectPath(sim, network, {} as ServiceRegistry, {} as Inbound, () => 0);
  const got: [number, number, string, number | undefined][] = [];
  const responder: Responder = { onResponse: (status, flags, bytes) => void got.push([sim.now, status, flags, bytes]) };
  const x = new DirectExchange(path, responder);
  x.server = SERVER;
  x.client = CLIENT;
  return { sim, x, got, draws: () => draws };
}

describe("DirectExchange.onResponse", () => {
  it("answers the caller after the way back from the server's pod to the client's", () => {
    const { sim, x, got, draws } = exchange();
    x.onResponse(201, "UF", 12);
    expect(got).toEqual([]);
    sim.run();
    expect(got).toEqual([[3, 201, "UF", 12]]);
    expect(draws()).toBe(1);
  });

  it("answers at once when the way back takes no time", () => {
    const { x, got } = exchange(0);
    x.onResponse(200, "-", 5);
    expect(got).toEqual([[0, 200, "-", 5]]);
  });

  it("answers no HTTP answer at once, without a draw, and nobody once abandoned", () => {
    const a = exchange();
    a.x.onResponse(0, "UC", 4);
    expect(a.got).toEqual([[0, 0, "-", 4]]);
    expect(a.draws()).toBe(0);
    const b = exchange();
    b.x.onResponse(200, "-", 5);
    b.x.abandon();
    b.sim.run();
    expect(b.got).toEqual([]);
  });
});
