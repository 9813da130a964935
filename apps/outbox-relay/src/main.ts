import { databaseAndRedis, runApp } from "@callastar/runtime";
import { startOutboxRelay } from "./app";
import { loadOutboxRelayEnv } from "./env";

runApp("outbox-relay", loadOutboxRelayEnv, (env) => startOutboxRelay(env), databaseAndRedis);
