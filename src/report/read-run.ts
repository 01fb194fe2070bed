// Reading a run's output folder back (for `meshsim report DIR [--vs DIR]`): summary.json, checked to
// be a meshsim summary, and histograms.json when it is there and belongs to the same run. A folder
// that is not a run's output is an input error naming the path.
import fs from "node:fs";
import path from "node:path";
import type { HistogramsFile } from "./latency-bins.js";
import type { Summary } from "./summary-types.js";

export class RunFolderError extends Error {}

export interface RunFolder {
  dir: string;
  summary: Summary;
  /** null when histograms.json is missing, unreadable or from another run; `note` says which. */
  histograms: HistogramsFile | null;
  note: string | null;
}

const REQUIRED: readonly [string, string][] = [
  ["scenario", "string"], ["seed", "number"], ["simulatedSeconds", "number"], ["measuredSeconds", "number"],
  ["clients", "object"], ["edges", "object"], ["pods", "object"], ["mesh", "object"], ["expectations", "object"],
  ["timeSeries", "object"], ["clusters", "object"], ["events", "object"],
];

function readJson(file: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RunFolderError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

export function checkSummary(v: unknown, file: string): Summary {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new RunFolderError(`${file}: not a meshsim summary (expected a JSON object)`);
  const o = v as Record<string, unknown>;
  for (const [k, t] of REQUIRED) {
    if (!(k in o)) throw new RunFolderError(`${file}: not a meshsim summary (no "${k}")`);
    if (typeof o[k] !== t || o[k] === null) throw new RunFolderError(`${file}: not a meshsim summary ("${k}" should be ${t === "object" ? "an object" : `a ${t}`})`);
  }
  if (!Array.isArray(o["edges"])) throw new RunFolderError(`${file}: not a meshsim summary ("edges" should be an array)`);
  if (!Array.isArray(o["events"])) throw new RunFolderError(`${file}: not a meshsim summary ("events" should be an array)`);
  for (const [name, c] of Object.entries(o["clients"] as Record<string, unknown>)) {
    const cc = c as Record<string, unknown> | null;
    if (typeof cc !== "object" || cc === null || typeof cc["requests"] !== "number" || typeof cc["latencyMs"] !== "object" || typeof cc["codes"] !== "object") {
      throw new RunFolderError(`${file}: not a meshsim summary (clients.${name} lacks requests, codes or latencyMs)`);
    }
  }
  return v as Summary;
}

function histogramsOf(dir: string, s: Summary): { h: HistogramsFile | null; note: string | null } {
  const file = path.join(dir, "histograms.json");
  if (!fs.existsSync(file)) return { h: null, note: `${file} not found: the page shows summary.json's percentiles instead of histograms` };
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    return { h: null, note: `${file}: not valid JSON (${(e as Error).message}); the page shows percentiles only` };
  }
  const h = v as HistogramsFile;
  if (typeof h !== "object" || h === null || typeof h.clients !== "object" || h.clients === null) {
    return { h: null, note: `${file}: not a meshsim histograms file; the page shows percentiles only` };
  }
  if (h.scenario !== s.scenario || h.seed !== s.seed) {
    return { h: null, note: `${file} is from another run (${h.scenario} seed ${h.seed}); the page shows percentiles only` };
  }
  for (const [name, c] of Object.entries(s.clients)) {
    const b = h.clients[name];
    const total = b !== undefined && Array.isArray(b.bins) ? b.bins.reduce((a, x) => a + (Array.isArray(x) ? Number(x[2]) : Number.NaN), 0) : Number.NaN;
    if (total !== c.requests) return { h: null, note: `${file} does not match summary.json (client ${name}); the page shows percentiles only` };
  }
  return { h, note: null };
}

/** A run's summary.json, checked to be a meshsim summary (RunFolderError otherwise). */
export function readSummary(file: string): Summary {
  return checkSummary(readJson(file), file);
}

export function readRunFolder(dir: string): RunFolder {
  if (!fs.existsSync(dir)) throw new RunFolderError(`${dir}: no such folder`);
  if (!fs.statSync(dir).isDirectory()) throw new RunFolderError(`${dir}: not a folder (give the folder holding summary.json)`);
  const file = path.join(dir, "summary.json");
  if (!fs.existsSync(file)) throw new RunFolderError(`${dir}: no summary.json here (is it the output folder of meshsim run?)`);
  const summary = readSummary(file);
  const { h, note } = histogramsOf(dir, summary);
  return { dir, summary, histograms: h, note };
}
