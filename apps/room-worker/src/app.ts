import { createDailyClient } from "@callastar/integrations/daily";
import { bindQueue, createRateLimiter, queueKey, runCron, startWorkerApp, workerOptionsFromEnv, summarizeRun, type ProcessLog, type WorkerApp } from "@callastar/runtime";
import type { RoomWorkerEnv } from "./env";
import { sweepDailyRooms } from "./handlers/cleanup-sweep";
import { processDeleteRoom, type DeleteRoomOutcome } from "./handlers/delete-room";
import { tallyRooms } from "./handlers/rooms-summary";

// Daily counts requests when they arrive, a few ms after our slot was taken: spacing them exactly
// 1/rate apart would let network jitter put rate + 1 in one of Daily's windows (a 429 for nothing).
const DELETE_SLOT_SLACK_MS = 100;
// A copy holds a deletion's lease for one DELETE at most (bounded by the Daily timeout); another
// copy of the same deletion waits that long, then fails its attempt and is retried later.
const leaseFor = (dailyTimeoutMs: number) => 2 * dailyTimeoutMs + 5_000;

/** Starts the room worker: queue `rooms` (cleanup-daily-rooms, delete-room, rooms-summary). */
export function startRoomWorker(
  env: RoomWorkerEnv,
  overrides: { exit?: (code: number) => void; log?: ProcessLog } = {},
): Promise<WorkerApp> {
  const daily = createDailyClient({ apiKey: env.DAILY_API_KEY, baseUrl: env.DAILY_API_URL, timeoutMs: env.DAILY_TIMEOUT_MS });
  return startWorkerApp({
    name: "room-worker",
    ...workerOptionsFromEnv(env),
    ...overrides,
    bindings: [
      bindQueue({
        queue: "rooms",
        concurrency: env.ROOMS_CONCURRENCY,
        handlers: (ctx) => {
          const deps = {
            db: ctx.db,
            logger: ctx.logger,
            daily,
            leaseMs: leaseFor(env.DAILY_TIMEOUT_MS),
            deleteLimiter: createRateLimiter(ctx.redis, {
              key: queueKey(ctx.prefix, "rooms", "ratelimit:daily-delete", ctx.redis),
              max: env.DAILY_DELETE_RATE_PER_SECOND,
              durationMs: 1000 + DELETE_SLOT_SLACK_MS,
            }),
          };
          return {
            "cleanup-daily-rooms": (_data, job) =>
              runCron(ctx, "cleanup-daily-rooms", job, (progress) => sweepDailyRooms(ctx, job, progress)),
            "delete-room": (data, job) => processDeleteRoom(deps, data, job),
            "rooms-summary": (data, job) => summarizeRun<DeleteRoomOutcome>(ctx, job, data, (o) => tallyRooms(o, data.counts)),
          };
        },
      }),
    ],
  });
}
