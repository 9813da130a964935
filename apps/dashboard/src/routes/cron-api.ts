import express, { type RequestHandler, type Router } from "express";
import { SCHEDULERS, isSchedulerId, type SchedulerId } from "@callastar/queues";
import { type Producer } from "@callastar/producer";
import type { LogRow } from "@callastar/db";
import type { DashboardLogger } from "../deps";

/** The last CRON_RUN or CRON_ERROR row of `id`, or null when it never ran. */
async function lastLoggedRun(logger: DashboardLogger, id: SchedulerId): Promise<LogRow | null> {
  const [run, error] = await Promise.all([
    logger.getRecentLogs({ type: "CRON_RUN", cronType: id, limit: 1 }),
    logger.getRecentLogs({ type: "CRON_ERROR", cronType: id, limit: 1 }),
  ]);
  const candidates = [run[0], error[0]].filter((row): row is LogRow => row !== undefined);
  candidates.sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime());
  return candidates[0] ?? null;
}

/** POST /api/cron/:id runs a cron now (202 with the job id); GET /api/cron/:id tells its schedule and last run. */
export function cronApiRoutes(producer: Producer, logger: DashboardLogger, guard: RequestHandler): Router {
  const router = express.Router();

  router.get("/api/cron", guard, (_req, res) => {
    res.json({ schedulers: Object.values(SCHEDULERS).map(({ id, queue, defaultPattern, description }) => ({ id, queue, defaultPattern, description })) });
  });

  router.post("/api/cron/:id", guard, async (req, res) => {
    const id = String(req.params.id);
    if (!isSchedulerId(id)) return void res.status(404).json({ error: `unknown cron "${id}"` });
    const jobId = await producer.runCron(id, "ops-api");
    res.status(202).json({ jobId, schedulerId: id, queue: SCHEDULERS[id].queue });
  });

  router.get("/api/cron/:id", guard, async (req, res) => {
    const id = String(req.params.id);
    if (!isSchedulerId(id)) return void res.status(404).json({ error: `unknown cron "${id}"` });
    const spec = SCHEDULERS[id];
    const [scheduler, last] = await Promise.all([producer.queue(spec.queue).getJobScheduler(id), lastLoggedRun(logger, id)]);
    res.json({
      id,
      queue: spec.queue,
      description: spec.description,
      registered: Boolean(scheduler),
      pattern: scheduler?.pattern ?? null,
      every: scheduler?.every ?? null,
      tz: scheduler?.tz ?? null,
      defaultPattern: spec.defaultPattern,
      nextRun: scheduler?.next ? new Date(scheduler.next).toISOString() : null,
      iterationCount: scheduler?.iterationCount ?? null,
      lastRun: last
        ? { type: last.type, status: last.status, createdAt: last.createdAt, message: last.message, context: last.context }
        : null,
    });
  });

  return router;
}
