import { EnvError } from "@callastar/runtime";
import { startScheduler } from "./app";
import { loadSchedulerEnv } from "./env";

try {
  startScheduler(loadSchedulerEnv()).catch((error: unknown) => {
    console.error("scheduler failed to start:", error);
    process.exit(1);
  });
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
