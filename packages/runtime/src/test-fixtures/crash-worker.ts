// A real worker process on the production runtime with the fixture handlers; tests SIGKILL it.
import { startWorkerApp, workerOptionsFromEnv } from "../worker-app";
import { fixtureBindings } from "./bindings";
import { loadFixtureEnv } from "./env";

startWorkerApp({ name: "crash-fixture", ...workerOptionsFromEnv(loadFixtureEnv()), bindings: fixtureBindings() }).catch((error: unknown) => {
  console.error("crash-fixture failed to start:", error);
  process.exit(1);
});
