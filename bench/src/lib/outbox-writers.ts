// The outbox benchmark's writers: each outbox row committed as the main app commits one (docs/outbox.md,
// "any SQL client"): its own transaction holding a business row (a payout request) and the row the
// producer's outbox API validates and builds for it.
import type postgres from "postgres";
import { createId } from "@callastar/db";
import { outboxRow, outboxStatement } from "@callastar/producer";

const epochMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One committed row: its payout, its job id, and when its COMMIT returned (epoch ms, this machine's clock). */
export interface Commit {
  payoutId: string;
  jobId: string;
  committedAt: number;
}

/** A creator the payout requests belong to (their foreign key), inserted once per database. */
export async function seedCreator(sql: postgres.Sql): Promise<string> {
  const userId = createId();
  const creatorId = createId();
  await sql`INSERT INTO "User" ("id", "email", "name") VALUES (${userId}, ${`bench-outbox-${userId}@bench.test`}, 'Bench creator')`;
  await sql`INSERT INTO "Creator" ("id", "userId") VALUES (${creatorId}, ${userId})`;
  return creatorId;
}

/** A payout request and its payout job's outbox row, in one transaction. */
async function requestPayout(sql: postgres.Sql, creatorId: string): Promise<Commit> {
  const payoutId = createId();
  const row = outboxRow("enqueuePayout", { payoutId });
  const { text, values } = outboxStatement(row);
  await sql.begin(async (tx) => {
    await tx`INSERT INTO "Payout" ("id", "creatorId", "amount") VALUES (${payoutId}, ${creatorId}, 5000)`;
    await tx.unsafe(text, values);
  });
  return { payoutId, jobId: row.jobId, committedAt: epochMs() };
}

/** `count` transactions from `writers` loops, each starting its next one as soon as the last commits. */
export async function writeAsFastAsPossible(sql: postgres.Sql, creatorId: string, writers: number, count: number): Promise<Commit[]> {
  const commits: Commit[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next++ < count) commits.push(await requestPayout(sql, creatorId));
    }),
  );
  return commits;
}

export interface PacedRun {
  commits: Commit[];
  /** Epoch ms of the first scheduled start. */
  startedAt: number;
  /** Rows committed per second, from the first scheduled start to the last COMMIT returning. */
  achievedRate: number;
  /** How late transactions started against their schedule (ms): this process falling behind. */
  startLateP99: number;
}

/**
 * Open loop: transaction i starts at `start + i / rate`, whether or not earlier ones have committed
 * (a slow database does not slow the arrivals, as the main app's requests would not slow down). The
 * pool's connections carry them; a transaction finding every connection busy queues in the client,
 * and that wait counts against the achieved rate.
 */
export async function writePaced(sql: postgres.Sql, creatorId: string, rate: number, seconds: number): Promise<PacedRun> {
  const count = Math.round(rate * seconds);
  const startedAt = epochMs() + 100;
  const inFlight: Array<Promise<Commit | undefined>> = [];
  const lateness: number[] = [];
  // Caught at once: a refused transaction (the server out of connections) stops the run with its error
  // instead of being an unhandled rejection while later ones are still being scheduled.
  let failure: unknown;
  for (let i = 0; i < count && failure === undefined; ) {
    const now = epochMs();
    // Every transaction whose time has come starts now (a timer woken late starts several at once).
    for (let due = startedAt + (i * 1000) / rate; i < count && due <= now; due = startedAt + (++i * 1000) / rate) {
      lateness.push(now - due);
      inFlight.push(requestPayout(sql, creatorId).catch((error: unknown) => void (failure ??= error)));
    }
    if (i < count) await sleep(Math.max(0, Math.min(5, startedAt + (i * 1000) / rate - epochMs())));
  }
  const settled = await Promise.all(inFlight);
  if (failure !== undefined) throw new Error(`a paced transaction failed: ${failure instanceof Error ? failure.message : String(failure)}`, { cause: failure });
  const commits = settled.filter((c): c is Commit => c !== undefined);
  const lastCommit = Math.max(...commits.map((c) => c.committedAt));
  lateness.sort((a, b) => a - b);
  return {
    commits,
    startedAt,
    achievedRate: commits.length / ((lastCommit - startedAt) / 1000),
    startLateP99: lateness[Math.min(lateness.length - 1, Math.ceil(lateness.length * 0.99) - 1)]!,
  };
}
