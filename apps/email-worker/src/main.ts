import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadEmailWorkerEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid, while its services are checked.
const load = () => import("./app");
runApp("email-worker", loadEmailWorkerEnv, async (env) => (await load()).startEmailWorker(env), databaseAndRedis, load);
