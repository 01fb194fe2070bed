// The README's example, kept true: a user's property written against meshsim's library API.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matchHttpRoutes, type HTTPRoute } from "../../src/index.js";

describe("the README's example property", () => {
  it("a request carrying end-user: jason is routed to v2, anyone else to v1", () => {
    const http: HTTPRoute[] = [
      { match: [{ headers: { "end-user": { exact: "jason" } } }], route: [{ destination: { host: "reviews", subset: "v2" } }] },
      { route: [{ destination: { host: "reviews", subset: "v1" } }] },
    ];
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: undefined }), (user) => {
        const headers: Record<string, string> = user === undefined ? {} : { "end-user": user };
        const route = matchHttpRoutes(http, { method: "GET", scheme: "http", authority: "reviews:9080", path: "/reviews/0", headers });
        expect(route?.destinations[0]?.subset).toBe(user === "jason" ? "v2" : "v1");
      }),
    );
  });
});
