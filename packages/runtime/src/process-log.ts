import { createProcessLog, secretsOf, type LogLevel, type ProcessLog, type ProcessLogOptions } from "@callastar/process-log";
import { EnvError } from "./load-env";
import { redisTargetOf, type RedisEnv } from "./redis-env";
import { redisTargetVariable, type RedisTarget } from "@callastar/queues/redis-target";
import { checkStartupDependencies, postgresDependency, redisDependency, StartupError, type StartupDependency } from "./startup-check";
import { settleHeap } from "./settle-heap";

/** What an app must reach before it starts, and for how long it keeps trying (STARTUP_DEADLINE_MS). */
export interface StartupPlan {
  dependencies: StartupDependency[];
  deadlineMs: number;
}

/** The plan of an app on DATABASE_URL and a Redis form: the one place that says which variable names each service. */
export function databaseAndRedis(env: RedisEnv & { DATABASE_URL: string; STARTUP_DEADLINE_MS: number; redis?: RedisTarget }): StartupPlan {
  const redis = env.redis ?? redisTargetOf(env);
  return {
    deadlineMs: env.STARTUP_DEADLINE_MS,
    dependencies: [postgresDependency("DATABASE_URL", env.DATABASE_URL), redisDependency(redisTargetVariable(redis), redis)],
  };
}

/** The env fields every app's process log reads; the rest of the env object passed along is searched for secrets. */
export interface ProcessLogEnv {
  NODE_ENV: "development" | "test" | "production";
  LOG_LEVEL: LogLevel;
}

/**
 * The process log settings of a parsed env: LOG_LEVEL, pretty only when NODE_ENV=development, and
 * every secret value of the env (see secretsOf) scrubbed from every line.
 */
export function processLogOptionsFromEnv(env: ProcessLogEnv): Omit<ProcessLogOptions, "app"> {
  return { level: env.LOG_LEVEL, pretty: env.NODE_ENV === "development", secrets: secretsOf(env) };
}

/** The process log of `app` from its parsed env. */
export function processLogFromEnv(app: string, env: ProcessLogEnv): ProcessLog {
  return createProcessLog({ app, ...processLogOptionsFromEnv(env) });
}

/**
 * An app's entry point: parses its env, waits until PostgreSQL and Redis answer (`startup`), starts
 * it, and reports a start failure as one fatal log line (an invalid env or an unreachable service
 * names its variable, never its value, and carries no stack trace), then exits 1. Once started,
 * it collects the start-up garbage once (settleHeap).
 */
export function runApp<E>(app: string, loadEnv: () => E, start: (env: E) => Promise<unknown>, startup?: (env: E) => StartupPlan): void {
  // Before the env is parsed there is no LOG_LEVEL: the default logger reports why it is invalid.
  const fail = (error: unknown, env?: E) => {
    const log = createProcessLog({ app, secrets: secretsOf(env) });
    if (error instanceof EnvError) log.fatal({ problems: error.problems }, error.message);
    else if (error instanceof StartupError) log.fatal(error.message);
    else log.fatal({ err: error }, `${app} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  };
  let env: E;
  try {
    env = loadEnv();
  } catch (error) {
    return fail(error);
  }
  const plan = startup?.(env);
  const ready = plan ? checkStartupDependencies(plan.dependencies, plan.deadlineMs) : Promise.resolve([]);
  ready
    .then((warnings) => {
      if (warnings.length) {
        const log = createProcessLog({ app, secrets: secretsOf(env) });
        for (const warning of warnings) log.warn(warning);
      }
      return start(env);
    })
    // Ready: start-up's garbage goes now, so V8 trims the idle heap later (see settle-heap.ts).
    .then(() => setImmediate(settleHeap))
    .catch((error: unknown) => fail(error, env));
}
