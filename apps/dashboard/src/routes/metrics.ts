import express, { type RequestHandler, type Router } from "express";
import type { Producer } from "@callastar/producer";
import type { DashboardDeps, DashboardLogger } from "../deps";
import { collectMetrics } from "../metrics/collect";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus, type MetricFamily } from "../metrics/prometheus";

/** GET /metrics in Prometheus text format, behind `guard` (Basic or the cron secret as a bearer). */
export function metricsRoutes(
  producer: Producer,
  logger: DashboardLogger,
  db: DashboardDeps["db"],
  guard: RequestHandler,
  /** More families (the outbox's), appended after the queues' and the logger's. */
  extra: () => Promise<MetricFamily[]> = async () => [],
): Router {
  const router = express.Router();
  router.get("/metrics", guard, async (_req, res) => {
    const families = [...(await collectMetrics((name) => producer.queue(name), logger, db)), ...(await extra())];
    res.setHeader("Cache-Control", "no-store");
    res.type(PROMETHEUS_CONTENT_TYPE).send(renderPrometheus(families));
  });
  return router;
}
