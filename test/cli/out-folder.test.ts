// `--out` reused: an earlier run's files go (cli/out-folder.ts clearRunFiles), anything else stays, so a
// folder never mixes two runs' files (the files are those report/write-reports.ts, report/streamed-file.ts
// and report/fortio.ts write); the writability probe leaves nothing behind.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { clearRunFiles, prepareOutFolder } from "../../src/cli/out-folder.js";

const RUN_FILES = ["summary.json", "report.md", "report.html", "histograms.json", "metrics.prom", "run.json", "access.log", "traces.json"];

describe("the output folder", () => {
  it("clearRunFiles removes every file a run writes and keeps the user's own", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-out-"));
    for (const f of [...RUN_FILES, "notes.txt"]) fs.writeFileSync(path.join(dir, f), "x");
    clearRunFiles(dir);
    expect(fs.readdirSync(dir).sort()).toEqual(["notes.txt"]);
    clearRunFiles(dir); // nothing of a run left: nothing to do
    expect(fs.readdirSync(dir).sort()).toEqual(["notes.txt"]);
    fs.rmSync(dir, { recursive: true });
  });

  it("prepareOutFolder makes a missing folder and removes its probe", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-out-"));
    const dir = path.join(root, "a", "b");
    prepareOutFolder(dir);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(root, { recursive: true });
  });
});
