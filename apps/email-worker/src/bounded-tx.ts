// The batch sender holds no PostgreSQL session across its loop: each step is one short transaction
// whose waits the server bounds, so a lock or a stalled client fails the step (and the loop retries
// it) instead of stalling the loop. After a server restart the next step simply runs on a new connection.
import type { Sql } from "@callastar/db";

/** Server-side bounds of one transaction (milliseconds). */
export interface TxBounds {
  /** Any one statement. */
  statementMs: number;
  /** Waiting for a row lock (another copy's claim or renewal). */
  lockMs: number;
  /** The client going quiet mid-transaction (its process stalled or gone): the server rolls back and frees the rows. */
  idleInTransactionMs: number;
}

const DEFAULT_TX_BOUNDS: TxBounds = { statementMs: 5_000, lockMs: 2_000, idleInTransactionMs: 10_000 };

/** What a step does inside its transaction. */
export type TxClient = Pick<Sql, "unsafe">;

/** A transaction of the batch sender: `tx` is the transaction's own client. */
export type BoundedTx = <T>(work: (tx: TxClient) => Promise<T>) => Promise<T>;

const SET_BOUNDS = `SELECT set_config('statement_timeout', $1, true), set_config('lock_timeout', $2, true),
  set_config('idle_in_transaction_session_timeout', $3, true)`;

/** Runs `work` in a transaction whose statement, lock and idle-in-transaction waits are bounded (SET LOCAL). */
export function boundedTx(sql: Sql, bounds: TxBounds = DEFAULT_TX_BOUNDS): BoundedTx {
  const params = [bounds.statementMs, bounds.lockMs, bounds.idleInTransactionMs].map((ms) => `${Math.round(ms)}ms`);
  return <T>(work: (tx: TxClient) => Promise<T>) =>
    sql.begin(async (tx) => {
      await tx.unsafe(SET_BOUNDS, params, { prepare: true });
      return work(tx);
    }) as Promise<T>;
}
