// Handlers for the runtime's own crash and audit tests: their behaviour is chosen by the job data,
// so a test can make a job block until released, kill its worker, or fail — while everything
// around them (processor, stall handling, error rows, cron runs, fan-out) is the production runtime.
import { RateLimitedError } from "@callastar/errors";
import { bindQueue, type AnyQueueBinding } from "../worker-app";
import { runCron } from "../cron-run";
import { fanOut, summarizeRun } from "../fan-out";

/** Redis keys the fixture and its tests share. */
export const fixtureKeys = {
  started: (prefix: string, id: string) => `${prefix}:fixture:started:${id}`,
  release: (prefix: string, id: string) => `${prefix}:fixture:release:${id}`,
};

/**
 * booking-reminder by bookingId prefix: `block-…` waits for its release key, `poison-…` SIGKILLs
 * its own process, `fail-…` throws, `limited-…` answers a 429 once; each start is recorded (with the pid). send-booking-reminders
 * fails when requestedBy is "fail"; cleanup-daily-rooms fans out one delete-room per name listed in
 * requestedBy ("rooms:a,b") under a rooms-summary.
 */
export function fixtureBindings(): AnyQueueBinding[] {
  return [
    bindQueue({
      queue: "reminders",
      concurrency: 4,
      handlers: (ctx) => ({
        "booking-reminder": async ({ bookingId }) => {
          await ctx.redis.rpush(fixtureKeys.started(ctx.prefix, bookingId), String(process.pid));
          if (bookingId.startsWith("poison-")) process.kill(process.pid, "SIGKILL");
          if (bookingId.startsWith("fail-")) throw new Error(`fixture failure of ${bookingId}`);
          // A 429 on the first start only: the job waits, then succeeds.
          if (bookingId.startsWith("limited-") && (await ctx.redis.llen(fixtureKeys.started(ctx.prefix, bookingId))) === 1) {
            throw new RateLimitedError(`fixture 429 for ${bookingId}`, 50);
          }
          if (bookingId.startsWith("block-")) {
            while (!(await ctx.redis.exists(fixtureKeys.release(ctx.prefix, bookingId)))) await new Promise((r) => setTimeout(r, 50));
          }
          return { bookingId, pid: process.pid };
        },
        "send-booking-reminders": (data, job) =>
          runCron(ctx, "send-booking-reminders", job, async () => {
            if (data.requestedBy === "fail") throw new Error("fixture sweep failure");
            return { itemsProcessed: 1, context: {} };
          }),
      }),
    }),
    bindQueue({
      queue: "rooms",
      concurrency: 4,
      handlers: (ctx) => ({
        "cleanup-daily-rooms": (data, job) =>
          runCron(ctx, "cleanup-daily-rooms", job, async () => {
            const names = (data.requestedBy ?? "").replace(/^rooms:/, "").split(",").filter(Boolean);
            const children = names.map((roomName) => ({
              name: "delete-room" as const,
              jobId: `room-${roomName}`,
              data: { bookingId: `b-${roomName}`, roomName, deletedBy: "cron_job" as const },
            }));
            const r = await fanOut(ctx, job, { queue: "rooms", cronType: "cleanup-daily-rooms", summaryJob: "rooms-summary", children });
            return { itemsProcessed: 0, context: {}, deferred: r.deferred };
          }),
        "delete-room": async ({ roomName }) => ({ status: "deleted", roomName }),
        "rooms-summary": (data, job) => summarizeRun<{ roomName: string }>(ctx, job, data, (o) => ({ itemsProcessed: o.values.length, context: { rooms: o.values.length } })),
      }),
    }),
  ];
}
