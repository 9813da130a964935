export { loadEnv, EnvError, envFields, loopEnvShape, metricsEnvShape, spoolEnvShape, startupEnvShape, workerEnvShape } from "./load-env";
export { redisEnvShape, redisFormProblems, redisTargetOf, type RedisEnv } from "./redis-env";
export { checkStartupDependencies, postgresDependency, redisDependency, StartupError, type StartupDependency } from "./startup-check";
export { createRateLimiter, type RateLimiter, type RateLimiterOptions } from "./rate-limiter";
export { installShutdown, type ShutdownStep, type ShutdownOptions } from "./shutdown";
export { startWorkerApp, bindQueue, workerOptionsFromEnv, DEFAULT_LOOP_STALL_AFTER_MS, type WorkerApp, type WorkerAppOptions, type WorkerContext, type QueueBinding, type AnyQueueBinding } from "./worker-app";
export { runCron, auditRunFailure, type CronOutcome, type CronRunContext } from "./cron-run";
export { startCronRun, finishCronRun, cronRunLogIds, cronRunId, cronRunRef, type CronRunRef } from "./cron-run-store";
export { STALL_DEFAULTS, stallSettings, recoveryWindowMs, type StallSettings } from "./stall-settings";
export { finalFailureLogId, attemptFailureLogId } from "./job-failure-audit";
export { entityIds, queueKey, queuePrefix } from "@callastar/queues";
export { withLock, LockLostError, type LockTimings } from "./redis-lock";
export { fanOut, summarizeRun, type FanOutChild, type FanOutResult } from "./fan-out";
export { databaseAndRedis, processLogFromEnv, processLogOptionsFromEnv, runApp, type ProcessLogEnv, type StartupPlan } from "./process-log";
export { createProcessLog, secretsOf, type ProcessLog, type LogLevel } from "@callastar/process-log";
export { LoopWatchdog, loopsHealth, type BackgroundLoop, type LoopHealth, type LoopStatus, type HealthCheck } from "./loop-watchdog";
// prom-client loads only where metrics are served: import("@callastar/runtime/metrics") then.
export type { ProcessMetrics, ServedMetrics } from "./metrics";
