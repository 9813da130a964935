/** @callastar/reconciler — cross-checks facts against their audit rows (`pnpm audit:verify`). */
export { verifyAudit, type VerifyAuditOptions } from "./verify-audit";
export { DEFAULT_INTENT_BOUNDS, type IntentBounds } from "./intent-checks";
export {
  ALL_CHECKS,
  AUDIT_CHECKS,
  INTENT_CHECKS,
  countsByCheck,
  formatReport,
  hasDiscrepancies,
  toContractJson,
  type AnyCheck,
  type AuditCheck,
  type AuditReport,
  type AuditReportJson,
  type UnfinishedRun,
  type CheckCounts,
  type DuplicatedRow,
  type IntentCheck,
  type MissingRow,
  type Unfulfilled,
} from "./report";
export { PAYOUT_CREATED_LOG_TYPE } from "./checks";
export { RECOVERED_BY } from "./repair";
export { VERIFY_AUDIT_CRON_TYPE, auditRunContext, readAuditRun, type AuditRunSummary } from "./audit-run";
