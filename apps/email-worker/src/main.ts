import { databaseAndRedis, runApp } from "@callastar/runtime";
import { startEmailWorker } from "./app";
import { loadEmailWorkerEnv } from "./env";

runApp("email-worker", loadEmailWorkerEnv, (env) => startEmailWorker(env), databaseAndRedis);
