import express, { type RequestHandler, type Router } from "express";
import { QUEUE_NAMES } from "@callastar/queues";
import type { DashboardDeps } from "../deps";

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), CHECK_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Runs the readiness checks: Redis PING, PostgreSQL SELECT 1, at least one live worker per queue. */
async function readiness(deps: Pick<DashboardDeps, "redis" | "db" | "producer">) {
  const [redis, postgres] = await Promise.all([
    withTimeout("redis", deps.redis.ping()).then((r) => r === "PONG", () => false),
    withTimeout("postgres", deps.db.sql`SELECT 1 AS ok`).then(() => true, () => false),
  ]);
  const workers: Record<string, number | null> = {};
  await Promise.all(
    QUEUE_NAMES.map(async (name) => {
      workers[name] = redis ? await withTimeout("workers", deps.producer.queue(name).getWorkersCount()).catch(() => null) : null;
    }),
  );
  const failed = [
    ...(redis ? [] : ["redis"]),
    ...(postgres ? [] : ["postgres"]),
    ...QUEUE_NAMES.filter((q) => !workers[q]).map((q) => `workers:${q}`),
  ];
  return { ready: failed.length === 0, checks: { redis: redis ? "ok" : "fail", postgres: postgres ? "ok" : "fail", workers }, failed };
}

/** GET /healthz (public: the process answers) and GET /readyz (behind `guard`: dependencies answer). */
export function healthRoutes(deps: DashboardDeps, guard: RequestHandler): { publicRoutes: Router; guarded: Router } {
  const publicRoutes = express.Router();
  publicRoutes.get("/healthz", (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json({ status: "ok" });
  });

  const guarded = express.Router();
  guarded.get("/readyz", guard, async (_req, res) => {
    const result = await readiness(deps);
    res.setHeader("Cache-Control", "no-store");
    res.status(result.ready ? 200 : 503).json({ status: result.ready ? "ready" : "unavailable", ...result.checks, failed: result.failed });
  });
  return { publicRoutes, guarded };
}
