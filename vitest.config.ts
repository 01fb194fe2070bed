import { defineConfig } from "vitest/config";
import { globSync } from "tinyglobby";

// Two lanes: `fast` — unit and property tests in-process, about 30 s
// (`npm run test:fast`); `slow` — everything else: the command line end to end, accuracy against
// queueing theory and Istio's task pages, the browser test, and the files below that run whole
// simulations (`npm run test:slow`). `npm test` runs both; every test file is in exactly one lane.
const FAST_DIRS = ["engine", "proxy", "properties", "scenario", "config", "telemetry", "runner", "report", "xds"];
// Files under FAST_DIRS that run whole simulations (4 to 7 s each on an idle machine).
const SIMULATING = new Set([
  "test/report/prometheus.test.ts", "test/report/prometheus-parser.test.ts", "test/report/fortio-seeds.test.ts", "test/telemetry/traces.test.ts", "test/telemetry/access-log.test.ts",
]);

const all = globSync("test/**/*.test.ts", { cwd: import.meta.dirname }).sort();
const fast = all.filter((f) => FAST_DIRS.includes(f.split("/")[1]!) && !SIMULATING.has(f));
const slow = all.filter((f) => !fast.includes(f));

export default defineConfig({
  test: {
    // The end-to-end tests spawn bin/meshsim.js, which runs the bundle in dist/bin/: build it first.
    globalSetup: ["test/support/build-bin.ts"],
    testTimeout: 60_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "fast", include: fast } },
      { extends: true, test: { name: "slow", include: slow } },
    ],
  },
});
