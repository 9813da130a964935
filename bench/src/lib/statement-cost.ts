// What one committed statement costs on this machine, apart from the rows in it: the logger's own
// INSERT (prepared, one statement at a time) at two batch sizes, fitted as
// `per statement + rows × per row`, and a bare `SELECT 1` round trip for scale. These figures
// explain the throughput ratio: a statement's fixed cost (wake-ups, commit, WAL flush) is paid once
// per group commit, so the rows per INSERT the workload allows decide most of the price of a row.
import type { Sql } from "@callastar/db";
import { auditRows, INSERT_LOG_ROWS, rowParameters, type StoredRow } from "@callastar/audit-log";
import { startCpuAccount } from "./cpu-account";

export interface StatementCost {
  /** PostgreSQL CPU (all its processes) per committed INSERT, excluding its rows, µs. */
  postgresPerStatementUs: number | null;
  /** PostgreSQL CPU per row inside an INSERT, µs. */
  postgresPerRowUs: number | null;
  /** Wall time of one INSERT of `large` rows, µs. */
  wallLargeUs: number;
  /** A prepared `SELECT 1` round trip: PostgreSQL CPU and this process's CPU, µs. */
  selectOne: { postgresUs: number | null; nodeUs: number };
  small: number;
  large: number;
}

// The very rows the throughput runs' logger jobs write, built by the logger's own row builders.
const rowsOf = (count: number): StoredRow[] =>
  Array.from({ length: count }, (_, i) => auditRows.logCronRun("bench", i, 1, { jobIndex: i }));

/** Runs through `sql`, one statement at a time; adds `statements × (small + large)` rows to "Log". */
export async function measureStatementCost(sql: Sql, statements = 2000, small = 1, large = 50): Promise<StatementCost> {
  const insert = async (rows: number) => {
    const batches = Array.from({ length: statements }, () => rowParameters(rowsOf(rows)));
    await sql.unsafe(INSERT_LOG_ROWS, rowParameters(rowsOf(rows)) as never, { prepare: true }); // prepare, warm
    const account = startCpuAccount();
    const t0 = performance.now();
    for (const params of batches) await sql.unsafe(INSERT_LOG_ROWS, params as never, { prepare: true });
    const wallUs = ((performance.now() - t0) * 1000) / statements;
    const postgresUs = account.stop().postgres;
    return { wallUs, postgresUs: postgresUs === null ? null : postgresUs / statements };
  };
  const one = await insert(small);
  const many = await insert(large);
  let perRow: number | null = null;
  let perStatement: number | null = null;
  if (one.postgresUs !== null && many.postgresUs !== null) {
    perRow = (many.postgresUs - one.postgresUs) / (large - small);
    perStatement = one.postgresUs - small * perRow;
  }
  await sql`SELECT 1`;
  const account = startCpuAccount();
  for (let i = 0; i < statements; i++) await sql`SELECT 1`;
  const spent = account.stop();
  return {
    postgresPerStatementUs: perStatement,
    postgresPerRowUs: perRow,
    wallLargeUs: many.wallUs,
    selectOne: { postgresUs: spent.postgres === null ? null : spent.postgres / statements, nodeUs: spent.node / statements },
    small,
    large,
  };
}
