import { databaseAndRedis, runApp } from "@callastar/runtime/start";
import { loadOutboxRelayEnv } from "./env";

// The app's modules (BullMQ, the SDKs) load only once its configuration is valid and its services answer.
runApp("outbox-relay", loadOutboxRelayEnv, async (env) => (await import("./app")).startOutboxRelay(env), databaseAndRedis);
