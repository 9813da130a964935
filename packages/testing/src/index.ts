export { testEnv } from "./env";
export { createTestDatabase, ensureTemplate, templateName, withDatabase, type TestDatabase } from "./database";
export { uniquePrefix, obliteratePrefix, freePort, startRedisServer, type RedisServer } from "./redis";
export { startTcpProxy, type TcpProxy } from "./tcp-proxy";
export { waitFor } from "./wait-for";
export { seedBooking, type SeededBooking } from "./fixtures";
export { spawnApp, spawnScript, type AppProcess } from "./spawn-app";
