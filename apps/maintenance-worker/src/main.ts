import { EnvError } from "@callastar/runtime";
import { startMaintenanceWorker } from "./app";
import { loadMaintenanceEnv } from "./env";

try {
  startMaintenanceWorker(loadMaintenanceEnv()).catch((error: unknown) => {
    console.error("maintenance-worker failed to start:", error);
    process.exit(1);
  });
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
