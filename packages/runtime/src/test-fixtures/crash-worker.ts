// A real worker process on the production runtime with the fixture handlers; tests SIGKILL it.
import { databaseAndRedis, runApp } from "../process-log";
import { startWorkerApp, workerOptionsFromEnv } from "../worker-app";
import { fixtureBindings } from "./bindings";
import { loadFixtureEnv } from "./env";

runApp("crash-fixture", loadFixtureEnv, (env) => startWorkerApp({ name: "crash-fixture", ...workerOptionsFromEnv(env), bindings: fixtureBindings() }), databaseAndRedis);
