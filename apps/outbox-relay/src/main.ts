import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadOutboxRelayEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid, while its services are checked.
const load = () => import("./app");
runApp("outbox-relay", loadOutboxRelayEnv, async (env) => (await load()).startOutboxRelay(env), databaseAndRedis, load);
