// What a chaos run is judged on, each finding named by its entity id: lost (work never completed),
// duplicated (an email delivered or a transfer made twice, counted at the stand-ins), misreported
// (getLogStats against the truth from the domain tables and the stand-ins). "Unaudited" comes from
// the reconciler (reconciler.ts).
import { inArray, sql } from "drizzle-orm";
import { booking, dailyRoomDeletion, payout } from "@callastar/db";
import { createAuditLogger } from "@callastar/audit-log";
import { jobIds, type QueueName } from "@callastar/queues";
import { type Producer } from "@callastar/producer";
import type { Infra } from "./infra";
import type { Workload } from "./workload";

export interface Finding {
  entity: string;
  detail: string;
}

const FINAL_PAYOUT = new Set(["PAID", "FAILED"]);
const FINAL_ROOM = new Set(["DELETED", "ALREADY_DELETED", "REFUSED"]);

/** A delivered email's identity: its recipients and subject (one expected email per recipient here). */
const identity = (d: { to: readonly string[]; subject: string }) => `${[...d.to].sort().join(",")} "${d.subject}"`;

/** Deliveries at the Resend stand-in per recipient address. */
function deliveriesByRecipient(infra: Infra): Map<string, number> {
  const out = new Map<string, number>();
  for (const d of infra.resend.deliveries) for (const to of d.to) out.set(to, (out.get(to) ?? 0) + 1);
  return out;
}

/** Where a job stands in BullMQ, to say why an entity is lost. */
async function jobState(producer: Producer | undefined, queue: QueueName, id: string): Promise<string> {
  if (!producer) return "";
  try {
    const job = await producer.queue(queue).getJob(id);
    if (!job) return `; job ${id}: none`;
    const state = await job.getState();
    const reason = job.failedReason ? `, "${job.failedReason.slice(0, 120)}"` : "";
    return `; job ${id}: ${state}, ${job.attemptsMade} attempt(s) made, ${job.stalledCounter ?? 0} stall(s)${reason}`;
  } catch (error) {
    return `; job ${id}: unreadable (${String(error)})`;
  }
}

/** Entities whose work has not completed; with `producer`, each says where its job stands. */
export async function findLost(infra: Infra, w: Workload, producer?: Producer): Promise<Finding[]> {
  const lost: Finding[] = [];
  const delivered = deliveriesByRecipient(infra);
  const { db } = infra.db;

  for (const e of w.adhoc.filter((x) => x.accepted)) {
    if (!delivered.has(e.to)) lost.push({ entity: `email ${e.key}`, detail: `ad-hoc email to ${e.to} never delivered${await jobState(producer, "emails", jobIds.email(e.key))}` });
  }

  const reminderRows = w.reminders.length
    ? await db.select({ id: booking.id, sent: booking.reminderSent }).from(booking).where(inArray(booking.id, w.reminders.map((r) => r.bookingId)))
    : [];
  const sent = new Map(reminderRows.map((r) => [r.id, r.sent]));
  for (const r of w.reminders) {
    const missing = [r.clientEmail, r.creatorEmail].filter((to) => !delivered.has(to));
    if (missing.length === 0 && sent.get(r.bookingId)) continue;
    const what = missing.length ? `reminder never delivered to ${missing.join(", ")}` : "emails delivered but reminderSent still false";
    lost.push({ entity: `booking ${r.bookingId}`, detail: `${what}${await jobState(producer, "reminders", jobIds.reminder(r.bookingId))}` });
  }

  const creators = [...new Set([...w.payouts.map((p) => p.creatorId), ...w.automaticCreators])];
  const payouts = creators.length
    ? await db
        .select({ id: payout.id, creatorId: payout.creatorId, status: payout.status, attempts: payout.attempts, failureReason: payout.failureReason, isAutomatic: payout.isAutomatic })
        .from(payout)
        .where(inArray(payout.creatorId, creators))
    : [];
  const transfers = new Set(infra.stripe.transfers.map((t) => t.metadata.payoutId));
  for (const p of payouts) {
    const job = () => jobState(producer, "payouts", jobIds.payout(p.id));
    if (!FINAL_PAYOUT.has(p.status)) {
      lost.push({ entity: `payout ${p.id}`, detail: `${p.isAutomatic ? "automatic " : ""}payout still ${p.status} after ${p.attempts} attempt(s)${await job()}` });
    } else if (p.status === "PAID" && !transfers.has(p.id)) {
      lost.push({ entity: `payout ${p.id}`, detail: `PAID but no transfer exists at Stripe${await job()}` });
    } else if (p.status === "FAILED" && transfers.has(p.id)) {
      lost.push({ entity: `payout ${p.id}`, detail: `FAILED ("${p.failureReason ?? ""}") although its transfer exists at Stripe${await job()}` });
    }
  }
  for (const creatorId of w.automaticCreators) {
    if (!payouts.some((p) => p.creatorId === creatorId && p.isAutomatic)) {
      lost.push({ entity: `creator ${creatorId}`, detail: "on automatic payouts above the minimum, but no automatic payout was created" });
    }
  }

  const ids = w.rooms.map((r) => r.bookingId);
  const roomRows = ids.length ? await db.select({ id: booking.id, room: booking.dailyRoomName }).from(booking).where(inArray(booking.id, ids)) : [];
  const deletions = ids.length
    ? await db.select({ bookingId: dailyRoomDeletion.bookingId, status: dailyRoomDeletion.status }).from(dailyRoomDeletion).where(inArray(dailyRoomDeletion.bookingId, ids))
    : [];
  const stillNamed = new Map(roomRows.map((r) => [r.id, r.room]));
  for (const r of w.rooms) {
    const deletion = deletions.find((d) => d.bookingId === r.bookingId);
    if (deletion?.status === "REFUSED") continue;
    const atDaily = infra.daily.rooms.has(r.roomName);
    const onBooking = stillNamed.get(r.bookingId) !== null;
    if (!atDaily && !onBooking && (!deletion || FINAL_ROOM.has(deletion.status))) continue;
    const why = [atDaily && "room still exists at Daily", onBooking && "booking still names its room", deletion && !FINAL_ROOM.has(deletion.status) && `deletion ${deletion.status}`]
      .filter(Boolean)
      .join(", ");
    lost.push({ entity: `booking ${r.bookingId}`, detail: `room ${r.roomName}: ${why}${await jobState(producer, "rooms", jobIds.room(r.roomName))}` });
  }
  return lost;
}

/**
 * Emails delivered twice (by identity at Resend), transfers made twice (per payout at Stripe), a
 * creator's balance paid out twice (two automatic payouts not FAILED), rooms deleted twice.
 */
export async function findDuplicated(infra: Infra, w: Workload): Promise<Finding[]> {
  const found: Finding[] = [];
  if (w.automaticCreators.length) {
    const rows = await infra.db.db
      .select({ id: payout.id, creatorId: payout.creatorId, status: payout.status })
      .from(payout)
      .where(inArray(payout.creatorId, w.automaticCreators));
    for (const creatorId of w.automaticCreators) {
      const live = rows.filter((r) => r.creatorId === creatorId && r.status !== "FAILED");
      if (live.length > 1) found.push({ entity: `creator ${creatorId}`, detail: `${live.length} automatic payouts for one balance: ${live.map((r) => `${r.id} ${r.status}`).join(", ")}` });
    }
  }
  const emails = new Map<string, string[]>();
  for (const d of infra.resend.deliveries) {
    const id = identity(d);
    emails.set(id, [...(emails.get(id) ?? []), d.idempotencyKey ?? "no key"]);
  }
  for (const [id, keys] of emails) {
    if (keys.length > 1) found.push({ entity: `email to ${id}`, detail: `delivered ${keys.length} times (Idempotency-Key ${keys.join(" | ")})` });
  }
  const transfers = new Map<string, string[]>();
  for (const t of infra.stripe.transfers) {
    const id = t.metadata.payoutId ?? `(no payoutId, group ${t.transfer_group ?? "none"})`;
    transfers.set(id, [...(transfers.get(id) ?? []), t.id]);
  }
  for (const [id, made] of transfers) {
    if (made.length > 1) found.push({ entity: `payout ${id}`, detail: `${made.length} transfers made: ${made.join(", ")}` });
  }
  const rooms = new Map<string, number>();
  for (const d of infra.daily.deletions) rooms.set(d.name, (rooms.get(d.name) ?? 0) + 1);
  for (const [name, n] of rooms) if (n > 1) found.push({ entity: `room ${name}`, detail: `deleted ${n} times at Daily` });
  return found;
}

/** The distinct emails Resend accepted: what `emails.sent` must say. */
function distinctEmailsDelivered(infra: Infra): number {
  return new Set(infra.resend.deliveries.map(identity)).size;
}

export interface Misreport {
  findings: Finding[];
  /** The figures compared and the ones only shown, for the report. */
  lines: string[];
}

/**
 * getLogStats over the run's window against the truth. Compared: emails.sent (distinct emails
 * Resend accepted) and crons.runs ("CronRun" rows SUCCEEDED). emails.errors and crons.errors are
 * only shown: a failed attempt leaves no record outside the Log that survives a SIGKILL exactly.
 */
export async function findMisreported(infra: Infra, window: { since: Date; until: Date }): Promise<Misreport> {
  const logger = createAuditLogger({ db: infra.db });
  try {
    const stats = await logger.getLogStats({ startDate: window.since, endDate: window.until });
    const [runs] = await infra.db.db.execute<{ succeeded: number; failed: number }>(sql`
      SELECT count(*) FILTER (WHERE status = 'SUCCEEDED')::int AS succeeded, count(*) FILTER (WHERE status = 'FAILED')::int AS failed
      FROM "CronRun" WHERE "startedAt" >= ${window.since.toISOString()}::timestamp(3)`);
    const truth = { emailsSent: distinctEmailsDelivered(infra), cronRuns: Number(runs?.succeeded ?? 0), cronFailed: Number(runs?.failed ?? 0) };
    const findings: Finding[] = [];
    const compare = (figure: string, reported: number, actual: number, source: string) => {
      if (reported !== actual) findings.push({ entity: figure, detail: `getLogStats says ${reported}, the truth is ${actual} (${source})` });
    };
    compare("emails.sent", stats.emails.sent, truth.emailsSent, "distinct emails accepted by the Resend stand-in");
    compare("crons.runs", stats.crons.runs, truth.cronRuns, 'CronRun rows SUCCEEDED');
    const lines = [
      `getLogStats: ${stats.totalLogs} rows (${stats.successLogs} success, ${stats.errorLogs} error); emails sent ${stats.emails.sent}, errors ${stats.emails.errors}; crons runs ${stats.crons.runs}, errors ${stats.crons.errors}`,
      `truth:       emails sent ${truth.emailsSent} (Resend stand-in), cron runs succeeded ${truth.cronRuns}, failed ${truth.cronFailed} (CronRun)`,
    ];
    return { findings, lines };
  } finally {
    await logger.close();
  }
}

