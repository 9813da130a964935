// What an app's main.ts and env.ts need before the configuration is known to be good: parsing the
// environment and the start-up checks. It loads none of the app's machinery (BullMQ, the SDKs), so
// a bad value is reported before any of it is loaded.
export { loadEnv, EnvError, envFields, loopEnvShape, metricsEnvShape, spoolEnvShape, startupEnvShape, workerEnvShape } from "./load-env";
export { redisEnvShape, redisFormProblems, redisTargetOf, type RedisEnv } from "./redis-env";
export { databaseAndRedis, processLogOptionsFromEnv, runApp, type ProcessLogEnv, type StartupPlan } from "./process-log";
