import { UnrecoverableError, Worker, type Job } from "bullmq";
import { RateLimitedError, ValidationError, isAudited, isPermanent, markAudited } from "@callastar/errors";
import { JOBS, isJobName, type JobData, type JobsOfQueue } from "./catalog/jobs";
import type { QueueName } from "./catalog/queues";
import { parseOrThrow } from "./validate";

/** One handler per job of the queue: a missing handler is a type error. */
export type QueueHandlers<Q extends QueueName> = {
  [N in JobsOfQueue<Q>]: (data: JobData<N>, job: Job) => Promise<unknown>;
};

export interface ProcessorHooks {
  /** Called once for a payload that does not match its schema, before the job fails for good. */
  onMalformed(job: Job, error: ValidationError): Promise<void>;
  /** The worker running this processor, for `rateLimit` on a 429. */
  worker(): Worker | undefined;
}

/**
 * Wraps typed handlers into a BullMQ processor: re-validates `job.data` (a malformed payload fails on
 * its first attempt), turns permanent errors into UnrecoverableError (no retry), and a 429 into a
 * queue-wide pause of `retry-after` that does not spend an attempt.
 */
export function createProcessor<Q extends QueueName>(
  queue: Q,
  handlers: QueueHandlers<Q>,
  hooks: ProcessorHooks,
): (job: Job, token?: string) => Promise<unknown> {
  return async (job) => {
    if (!isJobName(job.name) || JOBS[job.name].queue !== queue || !(job.name in handlers)) {
      const error = new ValidationError(`job on queue ${queue}`, [
        { path: "name", message: `unknown job name "${job.name}"` },
      ]);
      await hooks.onMalformed(job, error);
      throw new UnrecoverableError(error.message);
    }
    const def = JOBS[job.name];
    let data: unknown;
    try {
      data = parseOrThrow(`${job.name} payload`, def.schema, job.data);
    } catch (error) {
      if (error instanceof ValidationError) {
        await hooks.onMalformed(job, error);
        throw new UnrecoverableError(error.message);
      }
      throw error;
    }
    const handler = (handlers as Record<string, (data: unknown, job: Job) => Promise<unknown>>)[job.name]!;
    try {
      return await handler(data, job);
    } catch (error) {
      throw await translateError(error, hooks);
    }
  };
}

async function translateError(error: unknown, hooks: ProcessorHooks): Promise<unknown> {
  if (error instanceof RateLimitedError) {
    const worker = hooks.worker();
    if (worker) {
      // Pauses the whole queue (every copy of the worker) and puts the job back without an attempt.
      // Awaited: thrown before the pause is in Redis, the job could be fetched again at once.
      await worker.rateLimit(Math.max(error.retryAfterMs, 50));
      return Worker.RateLimitError();
    }
    return error;
  }
  if (error instanceof UnrecoverableError) return error;
  if (isPermanent(error)) {
    const message = error instanceof Error ? error.message : String(error);
    const unrecoverable = new UnrecoverableError(message);
    (unrecoverable as Error & { cause?: unknown }).cause = error;
    // A handler that wrote this failure's error row marked it; the wrapper must keep saying so.
    return isAudited(error) ? markAudited(unrecoverable) : unrecoverable;
  }
  return error;
}
