import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The end-to-end tests spawn bin/meshsim.js, which runs the bundle in dist/bin/: build it first.
    globalSetup: ["test/support/build-bin.ts"],
    testTimeout: 60_000,
    pool: "forks",
  },
});
