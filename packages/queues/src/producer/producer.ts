import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { EMAIL_TEMPLATES } from "@callastar/emails/schemas";
import { createProducerConnection, waitForRedis } from "../connection";
import { JOBS, type JobInput, type JobName } from "../catalog/jobs";
import type { QueueName } from "../catalog/queues";
import { SCHEDULERS, isSchedulerId, type SchedulerId } from "../catalog/schedulers";
import { jobIds } from "../job-ids";
import { parseOrThrow } from "../validate";
import { ValidationError } from "@callastar/errors";
import type { EmailInput } from "./types";

export interface ProducerOptions {
  /** A Redis URL (the producer opens and closes its own fail-fast connection) or a connection you own. */
  connection: string | Redis;
  /** BullMQ key prefix (default "bull"); must match the workers'. */
  prefix?: string;
  /** Minutes before the call when the reminder is due (REMINDER_LEAD_MINUTES, default 15). */
  reminderLeadMinutes?: number;
}

const bookingId = z.string().min(1).max(191).regex(/^[A-Za-z0-9_-]+$/, "must be [A-Za-z0-9_-]");
const reminderInput = z.object({ bookingId, callDateTime: z.coerce.date({ error: "must be a date" }) });

/** The typed producer API the main app uses; every method validates its input and returns the job id. */
export class Producer {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly connection: Redis;
  private readonly ownsConnection: boolean;
  private readonly prefix: string;
  private readonly leadMs: number;
  private closing?: Promise<void>;

  constructor(options: ProducerOptions) {
    this.ownsConnection = typeof options.connection === "string";
    this.connection =
      typeof options.connection === "string" ? createProducerConnection(options.connection) : options.connection;
    this.prefix = options.prefix ?? "bull";
    this.leadMs = (options.reminderLeadMinutes ?? 15) * 60_000;
  }

  /** Enqueues any email template; the caller's `idempotencyKey` (required) names the message, sent once. */
  async enqueueEmail(input: EmailInput): Promise<string> {
    // add() validates the input (a missing key is refused, naming the field) before anything is enqueued.
    return this.add("send-email", input, { jobId: jobIds.email(String(input.idempotencyKey)) });
  }

  /** Schedules the booking's reminder at callDateTime − lead; a second call for the same booking is a no-op. */
  async scheduleBookingReminder(input: { bookingId: string; callDateTime: Date | string }): Promise<string> {
    const { bookingId: id, callDateTime } = parseOrThrow("booking reminder", reminderInput, input);
    return this.add("booking-reminder", { bookingId: id }, { jobId: jobIds.reminder(id), delay: this.delayFor(callDateTime) });
  }

  /** Moves the booking's reminder to the new call time (or creates it); the job re-checks the time when it runs. */
  async rescheduleBookingReminder(input: { bookingId: string; callDateTime: Date | string }): Promise<string> {
    const { bookingId: id, callDateTime } = parseOrThrow("booking reminder", reminderInput, input);
    const queue = this.queue("reminders");
    const jobId = jobIds.reminder(id);
    const delay = this.delayFor(callDateTime);
    const existing = await queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state === "delayed") {
        if (delay > 0) await existing.changeDelay(delay);
        else await existing.promote();
        return jobId;
      }
      if (state === "active") return jobId; // running now: it re-reads the booking and its time
      await existing.remove(); // waiting, completed or failed: replace it with the new due time
    }
    return this.add("booking-reminder", { bookingId: id }, { jobId, delay });
  }

  /** Cancels the booking's pending reminder; false when none was pending (a running one re-reads the booking). */
  async cancelBookingReminder(input: { bookingId: string }): Promise<boolean> {
    const { bookingId: id } = parseOrThrow("booking reminder cancellation", z.object({ bookingId }), input);
    const job = await this.queue("reminders").getJob(jobIds.reminder(id));
    if (!job) return false;
    const state = await job.getState();
    if (state === "active" || state === "completed" || state === "failed") return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false; // it became active in between: it will see the booking is no longer confirmed
    }
  }

  /** Enqueues the deletion of one booking's Daily room. */
  async enqueueRoomDeletion(input: { bookingId: string; roomName: string }): Promise<string> {
    const data = { bookingId: input.bookingId, roomName: input.roomName, deletedBy: "manual" as const };
    return this.add("delete-room", data, { jobId: jobIds.room(String(input.roomName)) });
  }

  /** Enqueues the payment of one requested payout (paid once, whatever the number of calls). */
  async enqueuePayout(input: { payoutId: string }): Promise<string> {
    const data = { payoutId: input.payoutId, trigger: "manual" as const };
    return this.add("pay-payout", data, { jobId: jobIds.payout(String(input.payoutId)) });
  }

  /** Runs a declared cron now (the ops API's POST /api/cron/<id>). */
  async runCron(schedulerId: string, requestedBy = "ops-api"): Promise<string> {
    if (!isSchedulerId(schedulerId)) {
      throw new ValidationError("cron trigger", [{ path: "schedulerId", message: `unknown scheduler "${schedulerId}"` }]);
    }
    const spec = SCHEDULERS[schedulerId as SchedulerId];
    return this.add(spec.jobName, { trigger: "manual", requestedBy }, { jobId: jobIds.manualCron(spec.id) });
  }

  /** The BullMQ queue behind `name` (created on first use). */
  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      queue.on("error", (error) => console.error(`[queue:${name}] ${error.message}`));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /** Closes the queues, then the connection if the producer opened it. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
      if (this.ownsConnection) await this.connection.quit().catch(() => this.connection.disconnect());
    })();
    return this.closing;
  }

  private async add<N extends JobName>(name: N, input: JobInput<N>, options: JobsOptions): Promise<string> {
    const def = JOBS[name];
    const data = parseOrThrow(`${name} payload`, def.schema, input);
    if (this.connection.status !== "ready") await waitForRedis(this.connection, 5_000);
    const job = await this.queue(def.queue).add(name, data, { ...def.options, ...options });
    return job.id ?? String(options.jobId);
  }

  private delayFor(callDateTime: Date): number {
    return Math.max(0, callDateTime.getTime() - this.leadMs - Date.now());
  }
}

/** Creates the producer the main app imports from `@callastar/queues/producer`. */
export function createProducer(options: ProducerOptions): Producer {
  return new Producer(options);
}

export { EMAIL_TEMPLATES };
