import { createProcessLog, secretsOf, type LogLevel, type ProcessLog, type ProcessLogOptions } from "@callastar/process-log";
import { EnvError } from "./load-env";

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
 * An app's entry point: parses its env, starts it, and reports a start failure as one fatal log
 * line (an invalid env names each variable, never its value), then exits 1.
 */
export function runApp<E>(app: string, loadEnv: () => E, start: (env: E) => Promise<unknown>): void {
  // Before the env is parsed there is no LOG_LEVEL: the default logger reports why it is invalid.
  const fail = (error: unknown, env?: E) => {
    const log = createProcessLog({ app, secrets: secretsOf(env) });
    if (error instanceof EnvError) log.fatal({ problems: error.problems }, error.message);
    else log.fatal({ err: error }, `${app} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  };
  let env: E;
  try {
    env = loadEnv();
  } catch (error) {
    return fail(error);
  }
  start(env).catch((error: unknown) => fail(error, env));
}
