import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadMaintenanceEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid and its services answer.
runApp("maintenance-worker", loadMaintenanceEnv, async (env) => (await import("./app")).startMaintenanceWorker(env), databaseAndRedis);
