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
  checked: Record<AuditCheck, number>;
  /** After a repair: only what could not be written. */
  missing: MissingRow[];
  duplicated: DuplicatedRow[];
  repaired: number;
  /** Cron runs of the window that never did their work (audited or not): a run to trigger again. */
  unfinishedRuns: UnfinishedRun[];
}

/** verifyAudit's result: the contract's object plus what the repair wrote, per check. */
export interface AuditReport extends AuditReportJson {
  /** The rows `repair` wrote (each was missing before). */
  repairs: MissingRow[];
}

/** True when something is missing (unrepaired) or duplicated, or a cron run never did its work: the CLI's exit 1. */
export const hasDiscrepancies = (r: AuditReportJson): boolean => r.missing.length > 0 || r.duplicated.length > 0 || r.unfinishedRuns.length > 0;

/** Exactly the contract's keys, in its order (extra fields of AuditReport stay out of the JSON). */
export function toContractJson(r: AuditReportJson): AuditReportJson {
  return { since: r.since, until: r.until, checked: r.checked, missing: r.missing, duplicated: r.duplicated, repaired: r.repaired, unfinishedRuns: r.unfinishedRuns };
}

/** Per-check counts, as the verify-audit cron run records them in its CRON_RUN context. */
export interface CheckCounts {
  checked: number;
  missing: number;
  duplicated: number;
  repaired: number;
}

/** Counts of a report by check (every check present, zeros included). */
export function countsByCheck(r: AuditReport): Record<AuditCheck, CheckCounts> {
  const counts = Object.fromEntries(
    AUDIT_CHECKS.map((c) => [c, { checked: r.checked[c] ?? 0, missing: 0, duplicated: 0, repaired: 0 }]),
  ) as Record<AuditCheck, CheckCounts>;
  for (const m of r.missing) counts[m.check].missing++;
  for (const d of r.duplicated) counts[d.check].duplicated++;
  for (const m of r.repairs) counts[m.check].repaired++;
  return counts;
}

/** Human output: one line per discrepancy (and per repaired row), then a summary line. */
export function formatReport(r: AuditReport): string {
  const lines = [
    ...r.missing.map((m) => `missing     ${m.check} ${m.entityId} (expected Log ${m.expectedLogId})`),
    ...r.duplicated.map((d) => `duplicated  ${d.check} ${d.entityId} (${d.rows} rows)`),
    ...r.repairs.map((m) => `repaired    ${m.check} ${m.entityId} (wrote Log ${m.expectedLogId})`),
    ...r.unfinishedRuns.map((u) => `unfinished  ${u.cronType} run ${u.cronRunId} (${u.status === "FAILED" ? `failed for good at ${u.at}` : `running since ${u.at}`})`),
  ];
  const checked = AUDIT_CHECKS.map((c) => `${c} ${r.checked[c]}`).join(", ");
  lines.push(
    `audit:verify ${r.since} .. ${r.until}: checked ${checked}; ` +
      `missing ${r.missing.length}, duplicated ${r.duplicated.length}, repaired ${r.repaired}, unfinished runs ${r.unfinishedRuns.length}`,
  );
  return lines.join("\n");
}
