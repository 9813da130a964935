// For a fact and its audit row that must commit together (an email delivery record and its
// EMAIL_SENT row, say): the spec's functions build the row exactly as the logger would write it,
// and the caller inserts it in its own statement. Such rows skip the logger's group commit and
// outage hold: if the statement fails, neither the fact nor its row exists, and the caller retries.
import { createLogFunctions, type LogFunctions } from "./spec-functions";
import { buildRowSafely, type StoredRow } from "./write/row";

/** The spec's log functions, each returning the row it would write (same message and context). */
export type AuditRowBuilders = LogFunctions<StoredRow>;

/** Builds audit rows without writing them; see insertRowsAfter for committing them with a fact. */
export const auditRows: AuditRowBuilders = createLogFunctions(buildRowSafely);
