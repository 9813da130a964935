import type { ProcessLog } from "@callastar/process-log";

/** A named step of the shutdown sequence, run in order. */
export interface ShutdownStep {
  name: string;
  run(): Promise<unknown>;
}

export interface ShutdownOptions {
  /** Hard deadline for the whole sequence; past it the process exits 1. */
  timeoutMs: number;
  exit?: (code: number) => void;
  log: ProcessLog;
}

/**
 * One shutdown path per process: SIGTERM/SIGINT run the steps in order (workers drain → queues →
 * logger flush → Redis → PostgreSQL) under a deadline, then exit 0. Calling it twice is harmless.
 */
export function installShutdown(steps: ShutdownStep[], options: ShutdownOptions): (reason: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const { log } = options;
  let running: Promise<void> | undefined;
  const onSigterm = () => void shutdown("SIGTERM");
  const onSigint = () => void shutdown("SIGINT");
  const shutdown = (reason: string) => {
    running ??= (async () => {
      log.info({ reason }, `shutting down (${reason})`);
      const deadline = setTimeout(() => {
        log.error({ timeoutMs: options.timeoutMs }, `shutdown exceeded ${options.timeoutMs} ms; exiting 1`);
        exit(1);
      }, options.timeoutMs);
      deadline.unref();
      let failed = false;
      for (const step of steps) {
        const started = Date.now();
        try {
          await step.run();
          log.info({ step: step.name, durationMs: Date.now() - started }, `${step.name} closed in ${Date.now() - started} ms`);
        } catch (error) {
          failed = true;
          log.error({ step: step.name, err: error }, `${step.name} failed to close: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      clearTimeout(deadline);
      // Detached only now: a second signal during the steps (Ctrl-C reaches the whole process group,
      // then `pnpm start` forwards SIGTERM) would otherwise kill the process before the logger flush.
      // Detached at all so processes that start and stop several apps (tests) do not accumulate listeners.
      process.off("SIGTERM", onSigterm);
      process.off("SIGINT", onSigint);
      exit(failed ? 1 : 0);
    })();
    return running;
  };
  process.on("SIGTERM", onSigterm);
  process.on("SIGINT", onSigint);
  return shutdown;
}
