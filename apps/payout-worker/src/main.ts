import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadPayoutWorkerEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid, while its services are checked.
const load = () => import("./app");
runApp("payout-worker", loadPayoutWorkerEnv, async (env) => (await load()).startPayoutWorker(env), databaseAndRedis, load);
