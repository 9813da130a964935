import { databaseAndRedis, runApp } from "@callastar/runtime";
import { startPayoutWorker } from "./app";
import { loadPayoutWorkerEnv } from "./env";

runApp("payout-worker", loadPayoutWorkerEnv, (env) => startPayoutWorker(env), databaseAndRedis);
