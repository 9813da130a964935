import { databaseAndRedis, runApp } from "@callastar/runtime";
import { startRoomWorker } from "./app";
import { loadRoomWorkerEnv } from "./env";

runApp("room-worker", loadRoomWorkerEnv, (env) => startRoomWorker(env), databaseAndRedis);
