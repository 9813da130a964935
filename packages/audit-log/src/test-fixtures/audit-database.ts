// The setup the audit logger's database tests share (here and in the email worker): one database for
// the file and an audit logger writing to it, closed before the database is dropped.
import { createTestDatabase, type TestDatabase } from "@callastar/testing";
import { createAuditLogger, type AuditLogger } from "../index";

/** The state `useAuditDatabase` keeps: read it inside hooks and tests, never at module load. */
export interface AuditDatabase {
  t: TestDatabase;
  logger: AuditLogger;
}

/** Jest hooks: a database for the file and an audit logger on it. */
export function useAuditDatabase(): AuditDatabase {
  const state = {} as AuditDatabase;
  beforeAll(async () => {
    state.t = await createTestDatabase();
    state.logger = createAuditLogger({ db: state.t });
  });
  afterAll(async () => {
    await state.logger?.close();
    await state.t?.drop();
  });
  return state;
}
