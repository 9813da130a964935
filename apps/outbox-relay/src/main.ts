import { EnvError } from "@callastar/runtime";
import { startOutboxRelay } from "./app";
import { loadOutboxRelayEnv } from "./env";

try {
  startOutboxRelay(loadOutboxRelayEnv()).catch((error: unknown) => {
    console.error("outbox-relay failed to start:", error);
    process.exit(1);
  });
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
