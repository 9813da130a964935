export { loadEnv, EnvError, envFields, workerEnvShape } from "./load-env";
export { createRateLimiter, type RateLimiter, type RateLimiterOptions } from "./rate-limiter";
export { installShutdown, type ShutdownStep, type ShutdownOptions } from "./shutdown";
export { startWorkerApp, bindQueue, workerOptionsFromEnv, type WorkerApp, type WorkerAppOptions, type WorkerContext, type QueueBinding, type AnyQueueBinding } from "./worker-app";
export { runCron, type CronOutcome } from "./cron-run";
export { fanOut, childOutcomes, summarizeRun, type FanOutChild, type FanOutResult } from "./fan-out";
