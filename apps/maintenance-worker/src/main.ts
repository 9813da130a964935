import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadMaintenanceEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid, while its services are checked.
const load = () => import("./app");
runApp("maintenance-worker", loadMaintenanceEnv, async (env) => (await load()).startMaintenanceWorker(env), databaseAndRedis, load);
