import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadRoomWorkerEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid, while its services are checked.
const load = () => import("./app");
runApp("room-worker", loadRoomWorkerEnv, async (env) => (await load()).startRoomWorker(env), databaseAndRedis, load);
