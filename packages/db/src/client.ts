import postgres from "postgres";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
export type Sql = postgres.Sql;

export interface DbHandle {
  /** The drizzle database, typed from the schema. */
  db: Db;
  /** The underlying postgres.js client, for the few statements drizzle cannot express quickly. */
  sql: Sql;
  /** Ends the pool; waits up to `timeoutSeconds` for queries in flight, then closes the sockets. Idempotent. */
  close(timeoutSeconds?: number): Promise<void>;
}

/** Connections in a pool unless createDb is told otherwise. */
export const DEFAULT_POOL_SIZE = 10;

/** Server-side bounds on every session of a pool, in milliseconds (0: none). */
export interface DbTimeouts {
  /** A statement running longer is cancelled by the server (57014). */
  statementMs: number;
  /** A statement waiting longer for a lock (row, table, advisory) gives up (55P03). */
  lockMs: number;
  /** A session left idle inside a transaction is ended by the server, releasing its locks. */
  idleInTransactionMs: number;
}

/**
 * Every statement of the system is short (batches, claims, single-row updates); these bound a stuck
 * one. Long maintenance statements raise them for their own pool (createDb's `timeouts`).
 */
export const DEFAULT_TIMEOUTS: Readonly<DbTimeouts> = { statementMs: 60_000, lockMs: 15_000, idleInTransactionMs: 60_000 };

/** Seconds a new connection (TCP and start-up) may take before its queries fail. */
export const DEFAULT_CONNECT_TIMEOUT_SECONDS = 5;

/** The longest wait between two reconnect attempts of a pool, in seconds. */
export const RECONNECT_DELAY_MAX_SECONDS = 2;

/**
 * Seconds before the next connection attempt after `failures` failed ones in a row: 0.1, 0.2,
 * 0.4 … up to {@link RECONNECT_DELAY_MAX_SECONDS}, jittered so N processes do not reconnect in step.
 * postgres.js' own curve reaches 20 s after a few failures, and every query of the pool waits it out.
 */
export function reconnectDelaySeconds(failures: number, random: () => number = Math.random): number {
  const base = Math.min(RECONNECT_DELAY_MAX_SECONDS, 0.1 * 2 ** Math.max(0, Math.min(failures - 1, 10)));
  return base * (0.5 + random() / 2);
}

export interface CreateDbOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
  /** Seconds to wait for a new connection before failing (default {@link DEFAULT_CONNECT_TIMEOUT_SECONDS}). */
  connectTimeout?: number;
  /** Raises or lowers {@link DEFAULT_TIMEOUTS} for this pool (0: no bound, for migrations). */
  timeouts?: Partial<DbTimeouts>;
  onNotice?: (notice: postgres.Notice) => void;
  /** Wraps the client before drizzle gets it (tracing spans); absent, the client is used as is. */
  instrument?: (sql: Sql) => Sql;
}

function checkedTimeouts(given: Partial<DbTimeouts> = {}): DbTimeouts {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...given };
  for (const [name, value] of Object.entries(timeouts)) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`createDb: timeouts.${name} must be a whole number of ms >= 0 (got ${String(value)})`);
  }
  return timeouts;
}

/**
 * Creates a drizzle database over a postgres.js pool; nothing connects until the first query. Every
 * session carries statement, lock and idle-in-transaction timeouts as start-up parameters, a new
 * connection fails after a few seconds, and reconnection after an outage waits at most two seconds,
 * so a query during an outage fails fast and the first one after it succeeds at once.
 */
export function createDb(url: string, options: CreateDbOptions = {}): DbHandle {
  const timeouts = checkedTimeouts(options.timeouts);
  const client = postgres(url, {
    max: options.max ?? DEFAULT_POOL_SIZE,
    connect_timeout: options.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_SECONDS,
    idle_timeout: 30,
    backoff: (failures) => reconnectDelaySeconds(failures),
    connection: {
      // Prisma stores UTC in `timestamp(3)`; pin the session zone so CURRENT_TIMESTAMP agrees.
      TimeZone: "UTC",
      application_name: options.applicationName ?? "callastar-jobs",
      statement_timeout: timeouts.statementMs,
      lock_timeout: timeouts.lockMs,
      idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    },
    onnotice: options.onNotice ?? (() => {}),
  });
  const sql = options.instrument ? options.instrument(client) : client;
  const db = drizzle(sql, { schema });
  let closing: Promise<void> | undefined;
  return {
    db,
    sql,
    close(timeoutSeconds = 5) {
      closing ??= sql.end({ timeout: timeoutSeconds });
      return closing;
    },
  };
}
