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
  /** Ends the pool; waits up to `timeoutSeconds` for queries in flight. Idempotent. */
  close(timeoutSeconds?: number): Promise<void>;
}

/** Connections in a pool unless createDb is told otherwise. */
export const DEFAULT_POOL_SIZE = 10;

export interface CreateDbOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
  /** Seconds to wait for a connection before failing (default 10). */
  connectTimeout?: number;
  onNotice?: (notice: postgres.Notice) => void;
  /** Wraps the client before drizzle gets it (tracing spans); absent, the client is used as is. */
  instrument?: (sql: Sql) => Sql;
}

/** Creates a drizzle database over a postgres.js pool; nothing connects until the first query. */
export function createDb(url: string, options: CreateDbOptions = {}): DbHandle {
  const client = postgres(url, {
    max: options.max ?? DEFAULT_POOL_SIZE,
    connect_timeout: options.connectTimeout ?? 10,
    idle_timeout: 30,
    // Prisma stores UTC in `timestamp(3)`; pin the session zone so CURRENT_TIMESTAMP agrees.
    connection: { TimeZone: "UTC", application_name: options.applicationName ?? "callastar-jobs" },
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
