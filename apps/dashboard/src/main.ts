import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { readDashboardEnv } from "./env";

// Express, Bull Board and the clients load only once the configuration is valid and its services answer.
runApp("dashboard", readDashboardEnv, async (env) => (await import("./start")).startDashboard(env), (env) =>
  databaseAndRedis({ DATABASE_URL: env.databaseUrl, redis: env.redis, STARTUP_DEADLINE_MS: env.startupDeadlineMs }),
);
