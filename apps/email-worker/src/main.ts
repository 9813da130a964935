import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadEmailWorkerEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid and its services answer.
runApp("email-worker", loadEmailWorkerEnv, async (env) => (await import("./app")).startEmailWorker(env), databaseAndRedis);
