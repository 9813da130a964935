// The drizzle form of the outbox helper, in its own entry point (`@callastar/producer/drizzle`)
// so that only apps using drizzle load drizzle-orm.
import { sql, type SQL } from "drizzle-orm";
import { outboxRow, outboxStatement, type OutboxInput, type OutboxRow } from "./outbox";
import type { OutboxKind } from "./prepare";

/** The part of a drizzle database or transaction the helper needs. */
export interface DrizzleExecutor {
  execute(query: SQL): PromiseLike<unknown>;
}

/**
 * Inside `db.transaction(async (tx) => …)`: validates the call as the producer would and inserts
 * its outbox row through `tx`. Returns the row (its jobId is the job the relay will add).
 */
export async function enqueueInDrizzleTransaction<K extends OutboxKind>(tx: DrizzleExecutor, kind: K, input: OutboxInput<K>): Promise<OutboxRow> {
  const row = outboxRow(kind, input);
  const { text, values } = outboxStatement(row);
  const strings = text.split(/\$\d+/);
  const query = sql.empty();
  strings.forEach((chunk, i) => {
    query.append(sql.raw(chunk));
    if (i < values.length) query.append(sql`${values[i]}`);
  });
  await tx.execute(query);
  return row;
}
