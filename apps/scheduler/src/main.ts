import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadSchedulerEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid, while its services are checked.
const load = () => import("./app");
runApp("scheduler", loadSchedulerEnv, async (env) => (await load()).startScheduler(env), databaseAndRedis, load);
