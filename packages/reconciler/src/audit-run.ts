// The scheduled check records its result in its own CRON_RUN row; /metrics and the logs page read
// that row back (one indexed lookup) instead of reconciling at scrape time.
import { ALL_CHECKS, countsByCheck, type AnyCheck, type AuditReport, type CheckCounts } from "./report";

/** cronType of the scheduled check (its job and scheduler share the name). */
export const VERIFY_AUDIT_CRON_TYPE = "verify-audit";
// Enough entity ids to start an investigation without making the row large.
const SAMPLE = 50;

/** The CRON_RUN context of a verify-audit run: totals, per-check counts and a sample of entity ids. */
export function auditRunContext(r: AuditReport): Record<string, unknown> {
  return {
    since: r.since,
    until: r.until,
    missing: r.missing.length,
    duplicated: r.duplicated.length,
    unfulfilled: r.unfulfilled.length,
    repaired: r.repaired,
    redriven: r.redriven,
    unfinishedRuns: r.unfinishedRuns.length,
    checks: countsByCheck(r),
    discrepancies: [
      ...r.missing.map((m) => `missing ${m.check} ${m.entityId}`),
      ...r.duplicated.map((d) => `duplicated ${d.check} ${d.entityId}`),
      ...r.unfulfilled.map((u) => `unfulfilled ${u.check} ${u.entityId}`),
      ...r.unfinishedRuns.map((u) => `unfinished ${u.cronType} ${u.cronRunId} ${u.status}`),
    ].slice(0, SAMPLE),
  };
}

/** A verify-audit run as read back from its CRON_RUN row. */
export interface AuditRunSummary {
  /** When the row was written. */
  at: Date;
  since: string;
  until: string;
  missing: number;
  duplicated: number;
  unfulfilled: number;
  repaired: number;
  checks: Record<AnyCheck, CheckCounts>;
}

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);

/** Parses a verify-audit CRON_RUN row; undefined when its context is not one (another cron's row). */
export function readAuditRun(row: { context: unknown; createdAt: Date }): AuditRunSummary | undefined {
  const c = row.context;
  if (typeof c !== "object" || c === null || (c as { cronType?: unknown }).cronType !== VERIFY_AUDIT_CRON_TYPE) return undefined;
  const ctx = c as Record<string, unknown>;
  const raw = typeof ctx.checks === "object" && ctx.checks !== null ? (ctx.checks as Record<string, Partial<CheckCounts> | undefined>) : {};
  const checks = Object.fromEntries(
    ALL_CHECKS.map((name) => {
      const k = raw[name] ?? {};
      const counts = { checked: count(k.checked), missing: count(k.missing), duplicated: count(k.duplicated), repaired: count(k.repaired) };
      return [name, { ...counts, unfulfilled: count(k.unfulfilled), redriven: count(k.redriven) }];
    }),
  ) as Record<AnyCheck, CheckCounts>;
  return {
    at: row.createdAt,
    since: String(ctx.since ?? ""),
    until: String(ctx.until ?? ""),
    missing: count(ctx.missing),
    duplicated: count(ctx.duplicated),
    unfulfilled: count(ctx.unfulfilled),
    repaired: count(ctx.repaired),
    checks,
  };
}
