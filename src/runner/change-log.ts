// What each istiod push carried, for summary.json's mesh.changes: the world's events (timeline
// applies and deletes, pod kills, scale-downs, readiness changes) are noted as they happen, and a
// push takes the notes made since its first change reached istiod. A push without such a note
// (a change nothing announced) is described by what istiod saw changed: config kinds or services.
import type { Recorder } from "../telemetry/recorder.js";
import type { PushRecord } from "../xds/push-queue.js";

/** Notes kept between two pushes; more are counted (a mass scale-up stays one short line). */
const MAX_NOTES = 64;
/** Items named in one push's `what`; the rest are counted. */
const MAX_SHOWN = 5;

/** The resource or pod an event changed, or null when it changes no endpoint or config by itself. */
export function changeNote(kind: string, detail: Readonly<Record<string, string | number>>): string | null {
  switch (kind) {
    case "apply": return String(detail["resources"]);
    case "delete": return `deleted ${String(detail["resource"])}`;
    case "kill": return detail["pod"] !== undefined ? `killed ${String(detail["pod"])}` : `killed ${String(detail["deployment"])} ×${String(detail["count"])}`;
    case "scale": return `scaled ${String(detail["deployment"])} to ${String(detail["replicas"])}`;
    case "rollout": return `rollout of ${String(detail["deployment"])}`;
    case "ready": return `${String(detail["pod"])} ready`;
    case "notReady": return `${String(detail["pod"])} not ready`;
    default: return null;
  }
}

export class ChangeLog {
  private readonly notes: { t: number; text: string }[] = [];
  private notesDropped = 0;

  constructor(private readonly recorder: Recorder) {}

  /** A world event at `tMs`: kept for the next push if it names a change. */
  noted(tMs: number, kind: string, detail: Readonly<Record<string, string | number>>): void {
    const text = changeNote(kind, detail);
    if (text === null) return;
    if (this.notes.length < MAX_NOTES) this.notes.push({ t: tMs, text });
    else this.notesDropped++;
  }

  /** istiod started a push: it carries the notes made since its first change. */
  started(push: PushRecord): void {
    const seen = new Set<string>();
    for (const n of this.notes) if (n.t >= push.changedAt) seen.add(n.text);
    const more = seen.size > MAX_SHOWN ? seen.size - MAX_SHOWN + this.notesDropped : this.notesDropped;
    const shown = [...seen].slice(0, MAX_SHOWN);
    this.notes.length = 0;
    this.notesDropped = 0;
    const what = shown.length === 0 ? push.about : more > 0 ? `${shown.join(", ")} and ${more} more` : shown.join(", ");
    this.recorder.change(push.id, { t: push.changedAt, kind: push.full ? "config" : "endpoints", what, convergenceMs: null, counts: push });
  }

  converged(push: PushRecord, ms: number): void {
    this.recorder.changeConverged(push.id, ms);
  }
}
