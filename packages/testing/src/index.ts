export { testEnv } from "./env";
export { createTestDatabase, ensureTemplate, templateName, withDatabase, type TestDatabase } from "./database";
export { uniquePrefix, obliteratePrefix, freePort, startRedisServer, type RedisServer } from "./redis";
export { startTcpProxy, type TcpProxy } from "./tcp-proxy";
export { waitFor, waitForDrained } from "./wait-for";
export { seedBooking, type SeededBooking } from "./fixtures";
export { spawnApp, spawnProcess, spawnScript, type AppProcess } from "./spawn-app";
export { ensureLocalServices, isListening, findPostgresBin, MissingServiceError, type LocalServices } from "./local-services";
export { prepareDatabase, dropDatabase, systemEnv, type StandinEndpoints } from "./system";
