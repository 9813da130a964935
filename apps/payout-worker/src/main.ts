import { EnvError } from "@callastar/runtime";
import { startPayoutWorker } from "./app";
import { loadPayoutWorkerEnv } from "./env";

try {
  startPayoutWorker(loadPayoutWorkerEnv()).catch((error: unknown) => {
    console.error("payout-worker failed to start:", error);
    process.exit(1);
  });
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
