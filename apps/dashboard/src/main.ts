import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { readDashboardEnv } from "./env";

// Express and the clients load only once the configuration is valid, while its services are checked.
const load = () => import("./start");
runApp(
  "dashboard",
  readDashboardEnv,
  async (env) => (await load()).startDashboard(env),
  (env) => databaseAndRedis({ DATABASE_URL: env.databaseUrl, redis: env.redis, STARTUP_DEADLINE_MS: env.startupDeadlineMs }),
  load,
);
