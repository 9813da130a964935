import express, { type RequestHandler, type Router } from "express";
import type { DashboardLogger } from "../deps";
import { describeIssues, parseLogsQuery, parseStatsQuery } from "../http/logs-query";

/** GET /api/logs (getRecentLogs filters) and GET /api/logs/stats (getLogStats), both behind `guard`. */
export function logsApiRoutes(logger: DashboardLogger, guard: RequestHandler): Router {
  const router = express.Router();

  router.get("/api/logs", guard, async (req, res) => {
    const parsed = parseLogsQuery(req.query);
    if (!parsed.ok) return void res.status(400).json({ error: describeIssues(parsed.issues), issues: parsed.issues });
    const logs = await logger.getRecentLogs(parsed.value);
    res.json({ logs, count: logs.length, limit: parsed.value.limit ?? 100, offset: parsed.value.offset ?? 0 });
  });

  router.get("/api/logs/stats", guard, async (req, res) => {
    const parsed = parseStatsQuery(req.query);
    if (!parsed.ok) return void res.status(400).json({ error: describeIssues(parsed.issues), issues: parsed.issues });
    res.json(await logger.getLogStats(parsed.value));
  });

  return router;
}
