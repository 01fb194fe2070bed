// The headline figures of issue 18 (goals 2 and 3), measured on the product as a user runs it: the
// package's bin (`bin/meshsim.js`, the bundled `dist/`) as a whole process, its CPU time (user +
// system, from the child's own `process.resourceUsage()`, which a loaded machine inflates far less
// than wall time) against the minimal hand-written loop's and simjs's CPU time on the same model in
// the same sitting, interleaved round by round, median of the rounds. The comparators run as whole
// processes too, as the issue measured them (comparator-process.ts); the minimal loop's loop alone,
// in the bench's process, gives a stricter second figure.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mmcYaml } from "../test/support/scenario-text.js";
import { bundleComparators, type Comparator } from "./comparator-process.js";
import { runMinimalMMc } from "./minimal-loop.js";
import { BIN, ROOT, envWithoutExtraCaCerts, measure, median } from "./whole-process.js";

export interface MMcHeadline {
  requests: number;
  /** The minimal loop's whole process (`node` on the bundled comparator): Node's start and the loop. */
  minimalCpuMs: number;
  /** The bin's whole process: start, YAML load, world, run, summary.json. */
  binCpuMs: number;
  binWallMs: number;
  binRequests: number;
  /** binRequests/binCpuMs over requests/minimalCpuMs: the measure. */
  ratio: number;
  /** The minimal loop's loop alone, in this process (no start), and the bin's ratio against it. */
  minimalLoopCpuMs: number;
  loopRatio: number;
  /** simjs's whole process on the same model, and the bin's requests per CPU-second over simjs's. */
  simjsCpuMs: number;
  simjsRatio: number;
  /** The bin's and the minimal loop's processes without NODE_EXTRA_CA_CERTS, when this process has it
   *  (whole-process.ts), and the ratio of the two. */
  withoutExtraCaCerts: { binCpuMs: number; minimalCpuMs: number; ratio: number } | null;
}

function cpuMsOf(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

/** M/M/c at ρ (service mean 1 ms), about `requests` requests, `rounds` interleaved rounds. */
export function benchMMcBin(o: { c: number; rho: number; requests: number; rounds: number }): MMcHeadline {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  const rate = o.rho * o.c * 1000;
  const file = path.join(tmp, "mmc.yaml");
  fs.writeFileSync(file, mmcYaml({ c: o.c, rate, meanServiceMs: 1, durationS: Math.ceil(o.requests / rate), warmupS: 0 }));
  const minimal: number[] = [], loop: number[] = [], simjs: number[] = [], bin: number[] = [], wall: number[] = [];
  const binPlain: number[] = [], minimalPlain: number[] = [];
  const plain = envWithoutExtraCaCerts();
  const out = path.join(tmp, "out");
  const comparator = bundleComparators(ROOT);
  const compare = (which: Comparator, env?: NodeJS.ProcessEnv): number => {
    const m = measure([comparator, which, String(o.c), String(o.rho), String(o.requests), "1"], { env });
    if (m.code !== 0) throw new Error(`${which}: exit ${m.code}\n${m.stderr}`);
    return m.cpuMs;
  };
  let binRequests = 0;
  for (let i = 0; i < o.rounds; i++) {
    minimal.push(compare("minimal"));
    loop.push(cpuMsOf(() => runMinimalMMc({ c: o.c, utilisation: o.rho, requests: o.requests, seed: 1 })));
    simjs.push(compare("simjs"));
    const m = measure([BIN, "run", file, "--format", "json", "--quiet", "--out", out]);
    bin.push(m.cpuMs);
    wall.push(m.wallMs);
    binRequests = (JSON.parse(fs.readFileSync(path.join(out, "summary.json"), "utf8")) as { clients: Record<string, { requests: number }> }).clients["users"]!.requests;
    if (plain !== null) {
      minimalPlain.push(compare("minimal", plain));
      binPlain.push(measure([BIN, "run", file, "--format", "json", "--quiet", "--out", out], { env: plain }).cpuMs);
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  const minimalCpuMs = median(minimal), minimalLoopCpuMs = median(loop), simjsCpuMs = median(simjs), binCpuMs = median(bin);
  const ratioOf = (cpuMs: number, comparatorMs: number): number => binRequests / cpuMs / (o.requests / comparatorMs);
  return {
    requests: o.requests, minimalCpuMs, binCpuMs, binWallMs: median(wall), binRequests, ratio: ratioOf(binCpuMs, minimalCpuMs),
    minimalLoopCpuMs, loopRatio: ratioOf(binCpuMs, minimalLoopCpuMs),
    simjsCpuMs, simjsRatio: ratioOf(binCpuMs, simjsCpuMs),
    withoutExtraCaCerts: plain !== null
      ? { binCpuMs: median(binPlain), minimalCpuMs: median(minimalPlain), ratio: ratioOf(median(binPlain), median(minimalPlain)) }
      : null,
  };
}

export interface BookinfoHeadline { minutes: number; cpuMs: number; wallMs: number; peakRssMb: number; requests: number; events: number }

/** Bookinfo with sidecars at `rate` rps for each duration, through the bin, summary.json only. */
export function benchBookinfoBin(minutes: readonly number[], rate = 1000): BookinfoHeadline[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bench-"));
  const out: BookinfoHeadline[] = [];
  for (const m of minutes) {
    const dir = path.join(tmp, `b${m}`);
    const f = measure([BIN, "run", "scenarios/bookinfo/simulation.yaml", "--set", `LoadGenerator/users:spec.rate=${rate}`, "--duration", `${m}m`, "--format", "json", "--quiet", "--out", dir]);
    const run = JSON.parse(fs.readFileSync(path.join(dir, "run.json"), "utf8")) as { events: number };
    const summary = JSON.parse(fs.readFileSync(path.join(dir, "summary.json"), "utf8")) as { clients: Record<string, { requests: number }> };
    out.push({ minutes: m, cpuMs: f.cpuMs, wallMs: f.wallMs, peakRssMb: f.peakRssMb, requests: summary.clients["users"]!.requests, events: run.events });
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return out;
}
