// Where the time of a peak goes: each reminder request as Resend's stand-in counted it, joined by
// its Idempotency-Key (the batch id) with the steps the worker logged for it ("batch request"
// lines, apps/email-worker/src/request-timeline.ts). At 2 requests/s in a sliding window, request
// i may reach Resend one window after request i-2 did; whatever the step from i-2 to i takes
// beyond that window is split into what filled it.
import type { ResendRequestRecord } from "@callastar/standins";
import { median } from "./figures";

/** The worker's timeline of one request (the fields bench:peak reads). */
interface Timeline {
  batchId: string;
  emails: number;
  readyAt: number;
  dueAt: number;
  askedAt: number;
  opensAt: number;
  frozenAt: number;
  sentAt: number;
  answeredAt: number;
  refusals: number;
}

/** One step (request i-2 → i) beyond the window, split in ms. */
interface StepParts {
  /** Request i-2's answer: counted at Resend → its answer back at the worker (the pacer's anchor). */
  answer: number;
  /** Anchor + window → i's slot opening: the margin and the pacer's wake-ups. */
  pacer: number;
  /** Part of `pacer` during which i's batch was not even asking for a slot yet. */
  notReady: number;
  /** Slot opening → the request handed to the transport (statements, the due time). */
  afterSlot: number;
  /** Handed to the transport → counted at Resend. */
  transit: number;
}

export interface PeakBreakdown {
  /** One line per request, for the round's output. */
  lines: string[];
  /** Medians over the round's steps. */
  step: StepParts & { total: number };
  /** The first request: handed to the transport and counted, ms after the due time. */
  firstSentMs: number;
  firstCountedMs: number;
}

const WINDOW_MS = 1_000;

/** Every "batch request" timeline in the workers' output (JSON log lines). */
export function timelinesIn(outputs: readonly string[]): Map<string, Timeline> {
  const out = new Map<string, Timeline>();
  for (const output of outputs) {
    for (const line of output.split("\n")) {
      if (!line.includes('"msg":"batch request"')) continue;
      const parsed = JSON.parse(line) as { request?: Timeline };
      if (parsed.request) out.set(parsed.request.batchId, parsed.request);
    }
  }
  return out;
}

/**
 * The breakdown of the accepted reminder batch requests among `log` (a batch with a due time: ad-hoc
 * batches of the mixed run, some sent long before the peak, are not its steps), `due` the peak's due
 * time (epoch ms).
 */
export function breakdown(log: readonly ResendRequestRecord[], timelines: Map<string, Timeline>, due: number): PeakBreakdown | undefined {
  const accepted = log
    .filter((r) => r.endpoint === "/emails/batch" && r.status === 200 && r.idempotencyKey && (timelines.get(r.idempotencyKey)?.dueAt ?? 0) > 0)
    .sort((a, b) => a.countedAt - b.countedAt)
    .map((r) => ({ r, t: timelines.get(r.idempotencyKey!)! }));
  if (accepted.length === 0) return undefined;
  const rel = (at: number) => (at - due).toFixed(0).padStart(6);
  const ms = (n: number) => n.toFixed(0).padStart(5);
  const steps: Array<StepParts & { total: number }> = [];
  const lines = ["     #  counted  step  answer  pacer notReady afterSlot transit |  ready  asked  opens frozen   sent  (ms from due; step = i-2 → i)"];
  accepted.forEach(({ r, t }, i) => {
    const prev = accepted[i - 2];
    let parts = "                                                     ";
    if (prev) {
      const anchor = prev.t.answeredAt;
      const pacer = t.opensAt - anchor - WINDOW_MS;
      const p: StepParts & { total: number } = {
        total: r.countedAt - prev.r.countedAt - WINDOW_MS,
        answer: anchor - prev.r.countedAt,
        pacer,
        notReady: Math.max(0, Math.min(pacer, t.askedAt - anchor - WINDOW_MS)),
        afterSlot: t.sentAt - t.opensAt,
        transit: r.countedAt - t.sentAt,
      };
      steps.push(p);
      parts = `${ms(p.total)}  ${ms(p.answer)}  ${ms(p.pacer)}  ${ms(p.notReady)}     ${ms(p.afterSlot)}   ${ms(p.transit)}`;
    }
    const refused = t.refusals ? ` (${t.refusals} × 429)` : "";
    lines.push(
      `   ${String(i + 1).padStart(3)}  ${rel(r.countedAt)} ${parts} | ${rel(t.readyAt)} ${rel(t.askedAt)} ${rel(t.opensAt)} ${rel(t.frozenAt)} ${rel(t.sentAt)}${refused}`,
    );
  });
  const m = (f: (s: StepParts & { total: number }) => number) => (steps.length ? median(steps.map(f)) : 0);
  const first = accepted[0]!;
  return {
    lines,
    step: { total: m((s) => s.total), answer: m((s) => s.answer), pacer: m((s) => s.pacer), notReady: m((s) => s.notReady), afterSlot: m((s) => s.afterSlot), transit: m((s) => s.transit) },
    firstSentMs: first.t.sentAt - due,
    firstCountedMs: first.r.countedAt - due,
  };
}

/** One line: a step's median parts. */
export function stepLine(b: Pick<PeakBreakdown, "step" | "firstSentMs" | "firstCountedMs">): string {
  const s = b.step;
  const n = (x: number) => x.toFixed(0);
  return (
    `each step of 2 requests took the ${WINDOW_MS} ms window + ${n(s.total)} ms (medians): answer latency ${n(s.answer)}, ` +
    `margin and pacer ${n(s.pacer)} (of which batch not ready ${n(s.notReady)}), after the slot ${n(s.afterSlot)}, transit ${n(s.transit)}; ` +
    `first request sent ${n(b.firstSentMs)} ms, counted ${n(b.firstCountedMs)} ms after due`
  );
}
