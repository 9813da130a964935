import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadPayoutWorkerEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid and its services answer.
runApp("payout-worker", loadPayoutWorkerEnv, async (env) => (await import("./app")).startPayoutWorker(env), databaseAndRedis);
