// Transactional enqueue: the main app inserts a "JobOutbox" row in its own database transaction
// instead of calling the producer after the commit; the outbox relay (apps/outbox-relay) adds the
// job once the row is committed. Rows are validated by the producer's own preparation (prepare.ts),
// so the outbox accepts exactly what the producer accepts and relays the same job id.
import { randomBytes } from "node:crypto";
import { prepareJob, type OutboxKind, type PreparedJob } from "./prepare";

/** The outbox table (Prisma naming) and the channel its insert trigger NOTIFYs. */
export const JOB_OUTBOX = { table: "JobOutbox", channel: "job_outbox" } as const;

/** The input of each outbox kind: the producer method's own parameter. */
export type OutboxInput<K extends OutboxKind> = Parameters<(typeof prepareJob)[K]>[0];

/** One "JobOutbox" row to insert (the database fills createdAt and the relay state). */
export interface OutboxRow {
  id: string;
  kind: OutboxKind;
  /** The validated input, as JSON: the relay prepares the job from it again. */
  input: Record<string, unknown>;
  jobId: string;
  idempotencyKey: string | null;
}

// Prisma cuid() shape (c + base-36 time + randomness, 25 characters), so ids read like the app's.
const rowId = () =>
  "c" + Date.now().toString(36).padStart(8, "0") + BigInt(`0x${randomBytes(11).toString("hex")}`).toString(36).padStart(16, "0").slice(-16);

// What is stored of a prepared call: enough for prepareJob[kind] to give the same job again.
function storedInput(job: PreparedJob): Record<string, unknown> {
  switch (job.name) {
    case "booking-reminder":
      return { ...(job.data as object), callDateTime: job.callDateTime!.toISOString() };
    case "delete-room": {
      const { bookingId, roomName } = job.data as { bookingId: string; roomName: string };
      return { bookingId, roomName };
    }
    case "pay-payout":
      return { payoutId: (job.data as { payoutId: string }).payoutId };
    default:
      return job.data;
  }
}

/** Validates a producer call exactly as the producer does (ValidationError naming the field) and returns its row. */
export function outboxRow<K extends OutboxKind>(kind: K, input: OutboxInput<K>): OutboxRow {
  if (!Object.prototype.hasOwnProperty.call(prepareJob, kind)) {
    throw new TypeError(`unknown outbox kind "${String(kind)}": expected one of ${Object.keys(prepareJob).join(", ")}`);
  }
  const job = (prepareJob[kind] as (input: unknown) => PreparedJob)(input);
  const idempotencyKey = job.name === "send-email" ? (job.data as { idempotencyKey: string }).idempotencyKey : null;
  return { id: rowId(), kind, input: storedInput(job), jobId: job.jobId, idempotencyKey };
}

/** The job a stored row stands for, prepared (and validated) again by the producer's code. */
export function preparedJobOf(row: { kind: string; input: unknown }): PreparedJob {
  if (!Object.prototype.hasOwnProperty.call(prepareJob, row.kind)) throw new TypeError(`unknown outbox kind "${row.kind}"`);
  return (prepareJob[row.kind as OutboxKind] as (input: unknown) => PreparedJob)(row.input);
}

const COLUMNS = ["id", "kind", "input", "jobId", "idempotencyKey"] as const;
// createdAt in UTC whatever the session's TimeZone (Prisma stores UTC in timestamp(3)).
const NOW_UTC = "CURRENT_TIMESTAMP AT TIME ZONE 'UTC'";

/** The parameters of `rows`, in the order of `outboxStatement`'s placeholders. */
export const outboxValues = (rows: readonly OutboxRow[]): Array<string | null> =>
  rows.flatMap((r) => [r.id, r.kind, JSON.stringify(r.input), r.jobId, r.idempotencyKey]);

/**
 * Placeholders of row i: $1..$5 followed by the UTC creation time. The input is bound as text and
 * cast by the server: a client that serializes jsonb parameters itself (postgres.js) would otherwise
 * store the JSON text as a JSON string.
 */
const placeholders = (i: number) =>
  COLUMNS.map((c, k) => `$${i * COLUMNS.length + k + 1}${c === "input" ? "::text::jsonb" : ""}`).concat(NOW_UTC);

/**
 * The plain-SQL form for any client: `text` with `$n` placeholders and its `values`. Run it inside
 * your transaction; the job exists once that transaction commits, and never if it rolls back.
 */
export function outboxStatement(rows: OutboxRow | readonly OutboxRow[]): { text: string; values: Array<string | null> } {
  const list: readonly OutboxRow[] = Array.isArray(rows) ? rows : [rows as OutboxRow];
  if (list.length === 0) throw new RangeError("outboxStatement needs at least one row");
  const columns = [...COLUMNS, "createdAt"].map((c) => `"${c}"`).join(", ");
  const tuples = list.map((_r, i) => `(${placeholders(i).join(", ")})`).join(", ");
  return { text: `INSERT INTO "${JOB_OUTBOX.table}" (${columns}) VALUES ${tuples}`, values: outboxValues(list) };
}

/** The part of a Prisma client or interactive transaction (`tx`) the helper needs. */
export interface PrismaRawExecutor {
  $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number>;
}

/**
 * Inside `prisma.$transaction(async (tx) => …)`: validates the call as the producer would and
 * inserts its outbox row through `tx`. Returns the row (its jobId is the job the relay will add).
 */
export async function enqueueInPrismaTransaction<K extends OutboxKind>(tx: PrismaRawExecutor, kind: K, input: OutboxInput<K>): Promise<OutboxRow> {
  const row = outboxRow(kind, input);
  const { text, values } = outboxStatement(row);
  // $executeRaw binds values only through a template: split the text at its $n placeholders.
  const strings = text.split(/\$\d+/);
  await tx.$executeRaw(Object.assign([...strings], { raw: [...strings] }), ...values);
  return row;
}
