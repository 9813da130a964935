import { EnvError } from "@callastar/runtime";
import { startRoomWorker } from "./app";
import { loadRoomWorkerEnv } from "./env";

try {
  startRoomWorker(loadRoomWorkerEnv()).catch((error: unknown) => {
    console.error("room-worker failed to start:", error);
    process.exit(1);
  });
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
