// docs/library.md's example (once the README's), kept true: a user's property written against meshsim's library API.
import { spawnSync } from "node:child_process";
import path from "node:path";
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

describe("the package entry point", () => {
  it("`import ... from \"meshsim\"` works for a consumer (dist/ built by npm's prepare step)", () => {
    const code = "import('meshsim').then((m) => console.log([typeof m.matchHttpRoutes, typeof m.createLoadBalancer, typeof m.OutlierDetector, typeof m.UpstreamPool].join(',')))";
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: path.resolve(import.meta.dirname, "../.."), encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("function,function,function,function");
  });
});
