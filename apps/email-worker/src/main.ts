import { EnvError } from "@callastar/runtime";
import { startEmailWorker } from "./app";
import { loadEmailWorkerEnv } from "./env";

try {
  const env = loadEmailWorkerEnv();
  startEmailWorker(env).catch((error: unknown) => {
    console.error("email-worker failed to start:", error);
    process.exit(1);
  });
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
