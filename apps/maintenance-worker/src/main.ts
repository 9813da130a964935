import { databaseAndRedis, runApp } from "@callastar/runtime";
import { startMaintenanceWorker } from "./app";
import { loadMaintenanceEnv } from "./env";

runApp("maintenance-worker", loadMaintenanceEnv, (env) => startMaintenanceWorker(env), databaseAndRedis);
