// The work of a chaos run, seeded in PostgreSQL (and Daily) as the main app would have left it, then
// fed through the producer API while the faults are on. Every entity has an identity the
// verification can check at the stand-ins: one recipient per expected email, one payout id per
// transfer, one room name per deletion.
import { eq } from "drizzle-orm";
import { creator, payment, payout, type DbHandle } from "@callastar/db";
import { seedBooking } from "@callastar/testing";

const LEAD_MS = 15 * 60_000; // REMINDER_LEAD_MINUTES of the run (the default)

interface ReminderEntity {
  bookingId: string;
  clientEmail: string;
  creatorEmail: string;
  callDateTime: Date;
  /** Scheduled by the "main app" (the producer); the others are left to the reminder sweep. */
  scheduled: boolean;
}
interface AdhocEmail {
  key: string;
  to: string;
  /** Committed as a "JobOutbox" row (relayed by the outbox relay) rather than through the producer. */
  viaOutbox: boolean;
  /** Seconds into the chaos phase when it is enqueued. */
  at: number;
  accepted: boolean;
}
interface PayoutEntity {
  payoutId: string;
  creatorId: string;
  /** Seconds into the chaos phase when the producer enqueues it; null: left to the process-payouts sweep. */
  at: number | null;
}
interface RoomEntity {
  bookingId: string;
  roomName: string;
  at: number | null;
}

export interface Workload {
  reminders: ReminderEntity[];
  adhoc: AdhocEmail[];
  payouts: PayoutEntity[];
  /** Creators on automatic payouts whose balance is above their minimum: each must get one payout. */
  automaticCreators: string[];
  rooms: RoomEntity[];
}

/** How much of each kind, for a chaos phase of `seconds`. */
function workloadSize(seconds: number) {
  return {
    reminders: Math.max(6, Math.round(seconds / 3)),
    adhoc: Math.max(10, Math.round(seconds / 2)),
    payouts: Math.max(6, Math.round(seconds / 4)),
    automaticCreators: Math.max(3, Math.round(seconds / 12)),
    rooms: Math.max(6, Math.round(seconds / 4)),
  };
}

/** Seeds the run's world; reminders fall due between 10 % and 70 % of the chaos phase that starts at `chaosStart`. */
export async function seedWorkload(deps: {
  db: DbHandle;
  seconds: number;
  chaosStart: number;
  tag: string;
  createRoom: (name: string) => Promise<void>;
}): Promise<Workload> {
  const { db, seconds, chaosStart, tag } = deps;
  const size = workloadSize(seconds);
  const spread = (i: number, n: number, from: number, to: number) => from + ((to - from) * i) / Math.max(1, n - 1);

  const reminders: ReminderEntity[] = [];
  for (let i = 0; i < size.reminders; i++) {
    const due = chaosStart + spread(i, size.reminders, 0.1, 0.7) * seconds * 1000;
    const label = `rem${i}-${tag}`;
    const b = await seedBooking(db, { callDateTime: new Date(due + LEAD_MS), label });
    reminders.push({
      bookingId: b.bookingId,
      clientEmail: `fan-${label}@example.com`,
      creatorEmail: `star-${label}@example.com`,
      callDateTime: b.callDateTime,
      scheduled: i % 2 === 0,
    });
  }

  const past = new Date(chaosStart - 3 * 3600_000);
  const earned = async (label: string) => {
    const b = await seedBooking(db, { callDateTime: past, status: "COMPLETED", label });
    await db.db.insert(payment).values({
      bookingId: b.bookingId,
      amount: 8_000,
      status: "SUCCEEDED",
      stripePaymentIntentId: `pi_${label}`,
      platformFee: 1_200,
      creatorAmount: 6_800,
    });
    return b;
  };

  const payouts: PayoutEntity[] = [];
  for (let i = 0; i < size.payouts; i++) {
    const b = await earned(`pay${i}-${tag}`);
    const [row] = await db.db.insert(payout).values({ creatorId: b.creatorId, amount: 2_500 + i }).returning({ id: payout.id });
    payouts.push({ payoutId: row!.id, creatorId: b.creatorId, at: i % 3 === 2 ? null : spread(i, size.payouts, 0.02, 0.6) * seconds });
  }

  const automaticCreators: string[] = [];
  for (let i = 0; i < size.automaticCreators; i++) {
    const b = await earned(`auto${i}-${tag}`);
    await db.db.update(creator).set({ automaticPayoutsEnabled: true, automaticPayoutMinimum: 5_000 }).where(eq(creator.id, b.creatorId));
    automaticCreators.push(b.creatorId);
  }

  const rooms: RoomEntity[] = [];
  for (let i = 0; i < size.rooms; i++) {
    const roomName = `chaos-${tag}-room${i}`;
    await deps.createRoom(roomName);
    const b = await seedBooking(db, { callDateTime: past, status: i % 4 === 3 ? "CANCELLED" : "COMPLETED", dailyRoomName: roomName, label: `room${i}-${tag}` });
    rooms.push({ bookingId: b.bookingId, roomName, at: i % 2 === 1 ? null : spread(i, size.rooms, 0.02, 0.6) * seconds });
  }

  const adhoc: AdhocEmail[] = Array.from({ length: size.adhoc }, (_, i) => ({
    key: `chaos:${tag}:adhoc:${i}`,
    to: `adhoc${i}-${tag}@chaos.test`,
    viaOutbox: i % 2 === 1,
    at: spread(i, size.adhoc, 0, 0.8) * seconds,
    accepted: false,
  }));
  return { reminders, adhoc, payouts, automaticCreators, rooms };
}

/** Emails the workload expects delivered, each by its recipient (unique per email in this workload). */
export function expectedRecipients(w: Workload): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of w.adhoc) if (e.accepted) out.set(e.to, `ad-hoc email ${e.key}`);
  for (const r of w.reminders) {
    out.set(r.clientEmail, `reminder of booking ${r.bookingId} (client)`);
    out.set(r.creatorEmail, `reminder of booking ${r.bookingId} (creator)`);
  }
  return out;
}
