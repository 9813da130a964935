// The reconciler's last scheduled result, read from its CRON_RUN row (one indexed lookup) rather
// than reconciled at scrape time.
import { AUDIT_CHECKS, INTENT_CHECKS, readAuditRun, VERIFY_AUDIT_CRON_TYPE, type AuditRunSummary } from "@callastar/reconciler";
import type { DashboardLogger } from "../deps";
import type { MetricFamily, Sample } from "./prometheus";

/** The last verify-audit run, or undefined before the first one. */
export async function lastAuditRun(logger: Pick<DashboardLogger, "getRecentLogs">): Promise<AuditRunSummary | undefined> {
  const [row] = await logger.getRecentLogs({ type: "CRON_RUN", cronType: VERIFY_AUDIT_CRON_TYPE, limit: 1 });
  return row ? readAuditRun(row) : undefined;
}

/** callastar_audit_discrepancies{check,kind} (kind: missing, duplicated; unfulfilled for intents) and the last check's time; no samples before a first run. */
export function auditFamilies(run: AuditRunSummary | undefined): MetricFamily[] {
  const discrepancies: Sample[] = [];
  if (run) {
    for (const check of AUDIT_CHECKS) {
      for (const kind of ["missing", "duplicated"] as const) discrepancies.push({ labels: { check, kind }, value: run.checks[check][kind] });
    }
    for (const check of INTENT_CHECKS) discrepancies.push({ labels: { check, kind: "unfulfilled" }, value: run.checks[check].unfulfilled });
  }
  return [
    {
      name: "callastar_audit_discrepancies",
      help: "Facts without their audit row (missing, after any auto-repair) or with more than one (duplicated), and recorded intents without their effect (unfulfilled: a reminded booking not emailed, an email or outbox row waiting past its bound, an email whose outcome is unknown), per check, at the last verify-audit run.",
      type: "gauge",
      samples: discrepancies,
    },
    {
      name: "callastar_audit_last_check_timestamp_seconds",
      help: "Unix time of the last verify-audit run's CRON_RUN row.",
      type: "gauge",
      samples: run ? [{ value: Math.floor(run.at.getTime() / 1000) }] : [],
    },
  ];
}
