import { databaseAndRedis, runApp } from "@callastar/runtime";
import { startScheduler } from "./app";
import { loadSchedulerEnv } from "./env";

runApp("scheduler", loadSchedulerEnv, (env) => startScheduler(env), databaseAndRedis);
