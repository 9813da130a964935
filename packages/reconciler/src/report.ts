/** The reconciler's checks, in report order (convention 2 of the issue-11 brief names each one's row id). */
export const AUDIT_CHECKS = [
  "email-sent",
  "payout-paid",
  "payout-failed",
  "payout-created",
  "room-deleted",
  "room-refused",
  "cron-run",
  "cron-error",
] as const;
export type AuditCheck = (typeof AUDIT_CHECKS)[number];

/** The checks of recorded intents without their effect (intent-checks.ts), in report order. */
export const INTENT_CHECKS = ["reminder-emails", "pending-emails", "email-batches", "unknown-emails", "outbox-waiting"] as const;
export type IntentCheck = (typeof INTENT_CHECKS)[number];

/** Every check the reconciler runs: facts against their rows, then intents against their effects. */
export const ALL_CHECKS = [...AUDIT_CHECKS, ...INTENT_CHECKS] as const;
export type AnyCheck = (typeof ALL_CHECKS)[number];

/** A recorded intent whose effect is overdue (or, for an unknown email, cannot be told). */
export interface Unfulfilled {
  check: IntentCheck;
  entityId: string;
  /** What is missing, in words. */
  detail: string;
  /** When the intent was recorded (or became due), ISO. */
  since: string;
}

/** A fact without its audit row. */
export interface MissingRow {
  check: AuditCheck;
  entityId: string;
  expectedLogId: string;
}

/** A fact with more than one row of its success type. */
export interface DuplicatedRow {
  check: AuditCheck;
  entityId: string;
  rows: number;
}

/** A cron run that did not do its work: FAILED for good, or RUNNING long after it started (its job lost). */
export interface UnfinishedRun {
  cronRunId: string;
  cronType: string;
  status: "FAILED" | "RUNNING";
  /** When it failed, or started (ISO). */
  at: string;
}

/** The reconciler contract's JSON object (`pnpm audit:verify --json` prints exactly this). */
export interface AuditReportJson {
  since: string;
  until: string;
  checked: Record<AnyCheck, number>;
  /** After a repair: only what could not be written. */
  missing: MissingRow[];
  duplicated: DuplicatedRow[];
  /** After a repair: only what could not be re-driven. */
  unfulfilled: Unfulfilled[];
  repaired: number;
  /** Intents `repair` re-drove (queued again, put back into the pending set). */
  redriven: number;
  /** Cron runs of the window that never did their work (audited or not): a run to trigger again. */
  unfinishedRuns: UnfinishedRun[];
}

/** verifyAudit's result: the contract's object plus what the repair wrote or re-drove, per check. */
export interface AuditReport extends AuditReportJson {
  /** The rows `repair` wrote (each was missing before). */
  repairs: MissingRow[];
  /** The intents `repair` re-drove (each was unfulfilled before). */
  redrives: Unfulfilled[];
}

/** True when something is missing or unfulfilled (after any repair) or duplicated, or a cron run never did its work: the CLI's exit 1. */
export const hasDiscrepancies = (r: AuditReportJson): boolean =>
  r.missing.length > 0 || r.duplicated.length > 0 || r.unfulfilled.length > 0 || r.unfinishedRuns.length > 0;

/** Exactly the contract's keys, in its order (extra fields of AuditReport stay out of the JSON). */
export function toContractJson(r: AuditReportJson): AuditReportJson {
  return {
    since: r.since,
    until: r.until,
    checked: r.checked,
    missing: r.missing,
    duplicated: r.duplicated,
    unfulfilled: r.unfulfilled,
    repaired: r.repaired,
    redriven: r.redriven,
    unfinishedRuns: r.unfinishedRuns,
  };
}

/** Per-check counts, as the verify-audit cron run records them in its CRON_RUN context. */
export interface CheckCounts {
  checked: number;
  missing: number;
  duplicated: number;
  repaired: number;
  unfulfilled: number;
  redriven: number;
}

/** Counts of a report by check (every check present, zeros included). */
export function countsByCheck(r: AuditReport): Record<AnyCheck, CheckCounts> {
  const counts = Object.fromEntries(
    ALL_CHECKS.map((c) => [c, { checked: r.checked[c] ?? 0, missing: 0, duplicated: 0, repaired: 0, unfulfilled: 0, redriven: 0 }]),
  ) as Record<AnyCheck, CheckCounts>;
  for (const m of r.missing) counts[m.check].missing++;
  for (const d of r.duplicated) counts[d.check].duplicated++;
  for (const m of r.repairs) counts[m.check].repaired++;
  for (const u of r.unfulfilled) counts[u.check].unfulfilled++;
  for (const u of r.redrives) counts[u.check].redriven++;
  return counts;
}

/** Human output: one line per discrepancy (and per repaired row or re-driven intent), then a summary line. */
export function formatReport(r: AuditReport): string {
  const lines = [
    ...r.missing.map((m) => `missing     ${m.check} ${m.entityId} (expected Log ${m.expectedLogId})`),
    ...r.duplicated.map((d) => `duplicated  ${d.check} ${d.entityId} (${d.rows} rows)`),
    ...r.unfulfilled.map((u) => `unfulfilled ${u.check} ${u.entityId} (${u.detail}; since ${u.since})`),
    ...r.repairs.map((m) => `repaired    ${m.check} ${m.entityId} (wrote Log ${m.expectedLogId})`),
    ...r.redrives.map((u) => `redriven    ${u.check} ${u.entityId} (${u.detail})`),
    ...r.unfinishedRuns.map((u) => `unfinished  ${u.cronType} run ${u.cronRunId} (${u.status === "FAILED" ? `failed for good at ${u.at}` : `running since ${u.at}`})`),
  ];
  const checked = ALL_CHECKS.map((c) => `${c} ${r.checked[c]}`).join(", ");
  lines.push(
    `audit:verify ${r.since} .. ${r.until}: checked ${checked}; ` +
      `missing ${r.missing.length}, duplicated ${r.duplicated.length}, unfulfilled ${r.unfulfilled.length}, repaired ${r.repaired}, redriven ${r.redriven}, unfinished runs ${r.unfinishedRuns.length}`,
  );
  return lines.join("\n");
}
