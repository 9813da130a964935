import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadRoomWorkerEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid and its services answer.
runApp("room-worker", loadRoomWorkerEnv, async (env) => (await import("./app")).startRoomWorker(env), databaseAndRedis);
