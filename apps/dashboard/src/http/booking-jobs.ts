import { eq } from "drizzle-orm";
import { booking, type Db, type LogRow } from "@callastar/db";
import { jobIds, type QueueName } from "@callastar/queues";
import type { Queue } from "bullmq";
import type { BookingJobView } from "../views/booking-page";

/**
 * The BullMQ jobs of one booking: its reminder, the deletion of its room (name from the Booking row
 * or any Log context) and the payouts its Log rows mention. Ids are deterministic, so no scan is needed.
 */
export async function bookingJobs(db: Db, queueOf: (name: QueueName) => Queue, bookingId: string, logs: readonly LogRow[]): Promise<BookingJobView[]> {
  const rooms = new Set<string>();
  const payouts = new Set<string>();
  const [row] = await db.select({ room: booking.dailyRoomName }).from(booking).where(eq(booking.id, bookingId)).limit(1);
  if (row?.room) rooms.add(row.room);
  for (const log of logs) {
    const ctx = log.context ?? {};
    if (typeof ctx.roomName === "string") rooms.add(ctx.roomName);
    if (typeof ctx.payoutId === "string") payouts.add(ctx.payoutId);
  }
  const wanted: [QueueName, string][] = [
    ["reminders", jobIds.reminder(bookingId)],
    ...[...rooms].map((r): [QueueName, string] => ["rooms", jobIds.room(r)]),
    ...[...payouts].map((p): [QueueName, string] => ["payouts", jobIds.payout(p)]),
  ];
  const found = await Promise.all(
    wanted.map(async ([queue, jobId]): Promise<BookingJobView | undefined> => {
      const job = await queueOf(queue).getJob(jobId);
      if (!job) return undefined;
      return {
        queue,
        jobId,
        name: job.name,
        state: await job.getState(),
        attemptsMade: job.attemptsMade,
        failedReason: job.failedReason || undefined,
        timestamp: job.timestamp,
        processedOn: job.processedOn,
        finishedOn: job.finishedOn,
      };
    }),
  );
  return found.filter((j): j is BookingJobView => j !== undefined);
}
