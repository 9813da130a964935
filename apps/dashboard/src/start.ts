// The dashboard process once its configuration is valid: one HTTP server, one shutdown path.
import type { Server } from "node:http";
import { createDb } from "@callastar/db";
import { createAuditLogger } from "@callastar/audit-log";
import { createProducerConnection, waitForRedis } from "@callastar/queues";
import { Producer } from "@callastar/producer";
import { createProcessLog, installShutdown } from "@callastar/runtime";
import { createDashboardApp } from "./app";
import type { DashboardEnv } from "./env";

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Idle keep-alive sockets would hold close() open until they time out; busy ones get a moment.
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), 2_000).unref();
  });
}

/** Starts the dashboard: connections, the app, the listening server and the shutdown path. */
export async function startDashboard(env: DashboardEnv): Promise<void> {
  const log = createProcessLog({ app: "dashboard", ...env.logOptions });
  const db = createDb(env.databaseUrl, { max: 5, applicationName: "callastar-dashboard" });
  const logger = createAuditLogger({ db, log, ...(env.logSpoolDir ? { spoolDir: env.logSpoolDir } : {}) });
  const redis = createProducerConnection(env.redis, { log });
  await waitForRedis(redis, env.startupDeadlineMs);
  const producer = new Producer({ connection: redis, prefix: env.queuePrefix, log });
  const app = createDashboardApp({ db, logger, producer, redis, prefix: env.queuePrefix, config: env.config, log });

  const server = app.listen(env.port, env.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const roles = env.config.users.map((u) => `${u.name} (${u.role})`).join(", ") || "none";
  const cronApi = env.config.cronSecret ? "enabled" : "disabled (no CRON_SECRET)";
  log.info({ host: env.host, port: env.port }, `listening on ${env.host}:${env.port} — users: ${roles}; cron API ${cronApi}`);

  installShutdown(
    [
      { name: "http server", run: () => closeServer(server) },
      { name: "queues", run: () => producer.close() },
      { name: "audit logger", run: () => logger.close() },
      { name: "redis", run: () => redis.quit() },
      { name: "postgres", run: () => db.close() },
    ],
    { timeoutMs: env.shutdownTimeoutMs, log },
  );
}

// An invalid env is reported naming the variables, never their values.
