import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadSchedulerEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid and its services answer.
runApp("scheduler", loadSchedulerEnv, async (env) => (await import("./app")).startScheduler(env), databaseAndRedis);
