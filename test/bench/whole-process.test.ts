// The bench's whole processes with and without NODE_EXTRA_CA_CERTS (bench/whole-process.ts): the
// variable is removed from the child's environment only, and the child sees the environment given.
import { afterEach, describe, expect, it } from "vitest";
import { envWithoutExtraCaCerts, measure } from "../../bench/whole-process.js";

const saved = process.env["NODE_EXTRA_CA_CERTS"];
afterEach(() => {
  if (saved === undefined) delete process.env["NODE_EXTRA_CA_CERTS"];
  else process.env["NODE_EXTRA_CA_CERTS"] = saved;
});

const childSees = (env?: NodeJS.ProcessEnv): string =>
  measure(["-e", "process.stdout.write(String(process.env.NODE_EXTRA_CA_CERTS))"], { hook: false, env }).stdout;

describe("envWithoutExtraCaCerts", () => {
  it("is null when the variable is not set", () => {
    delete process.env["NODE_EXTRA_CA_CERTS"];
    expect(envWithoutExtraCaCerts()).toBeNull();
  });

  it("drops the variable for the child and leaves this process's environment as it was", () => {
    process.env["NODE_EXTRA_CA_CERTS"] = "/nonexistent/bench-test.pem";
    const env = envWithoutExtraCaCerts();
    expect(env).not.toBeNull();
    expect(env!["PATH"]).toBe(process.env["PATH"]);
    expect(childSees(env!)).toBe("undefined");
    expect(process.env["NODE_EXTRA_CA_CERTS"]).toBe("/nonexistent/bench-test.pem");
    expect(childSees()).toBe("/nonexistent/bench-test.pem");
  });
});
