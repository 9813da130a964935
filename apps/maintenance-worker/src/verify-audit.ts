import type { Db } from "@callastar/db";
import { ALL_CHECKS, auditRunContext, verifyAudit, type IntentBounds } from "@callastar/reconciler";
import type { CronOutcome } from "@callastar/runtime";

/** How the scheduled check picks its window and whether it repairs. */
export interface VerifyAuditSettings {
  lookbackMinutes: number;
  repair: boolean;
  /** How late a recorded intent may be (a reminded booking's emails, a queued email, an outbox row). */
  bounds?: Partial<IntentBounds>;
}

// A fact committed a moment ago by code that still writes its row just after (the logger's group
// commit) is not yet a discrepancy; the next run's lookback covers these last seconds.
const SETTLE_MS = 60_000;

/**
 * One scheduled verify-audit run over a fixed lookback ending now: stateless (any copy, any missed
 * run), and an unrepaired discrepancy stays in every run's counts, so its gauge holds for the whole
 * lookback instead of flickering to zero at the next run.
 */
export async function runVerifyAudit(db: Db, settings: VerifyAuditSettings, progress: Record<string, unknown>, now = new Date()): Promise<CronOutcome> {
  const until = new Date(now.getTime() - SETTLE_MS);
  const since = new Date(until.getTime() - settings.lookbackMinutes * 60_000);
  progress.since = since.toISOString();
  progress.until = until.toISOString();
  const report = await verifyAudit(db, { since, until, repair: settings.repair, ...(settings.bounds ? { bounds: settings.bounds } : {}) });
  const itemsProcessed = ALL_CHECKS.reduce((n, c) => n + report.checked[c], 0);
  return { itemsProcessed, context: { ...auditRunContext(report), autoRepair: settings.repair } };
}
