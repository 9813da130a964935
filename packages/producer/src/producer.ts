import { Queue, type JobsOptions, type Telemetry } from "bullmq";
import { fallbackLogSink, type LogSink } from "@callastar/process-log/sink";
import {
  JOBS,
  SCHEDULERS,
  createProducerConnection,
  isSchedulerId,
  jobIds,
  parseOrThrow,
  queuePrefix,
  waitForRedis,
  type JobInput,
  type JobName,
  type QueueName,
  type RedisConnection,
  type RedisTarget,
} from "@callastar/queues";
import { ValidationError } from "@callastar/errors";
import {
  prepareJob,
  reminderCancelInput,
  reminderInput,
  type BookingReminderCancelInput,
  type BookingReminderInput,
  type PayoutInput,
  type PreparedJob,
  type RoomDeletionInput,
} from "./prepare";
import type { EmailInput } from "./types";

export interface ProducerOptions {
  /**
   * A Redis URL or a {@link RedisTarget} (the producer opens and closes its own fail-fast connection),
   * or a client you own: an ioredis `Redis` (one server, or Sentinel-configured) or `Cluster`.
   */
  connection: string | RedisTarget | RedisConnection;
  /** BullMQ key prefix (default "bull"); must match the workers'. */
  prefix?: string;
  /** Minutes before the call when the reminder is due (REMINDER_LEAD_MINUTES, default 15). */
  reminderLeadMinutes?: number;
  /** BullMQ telemetry (e.g. `new BullMQOtel()` from bullmq-otel): each enqueue starts or continues a trace the worker carries on. */
  telemetry?: Telemetry;
  /** Where queue and connection errors are logged (default: a JSON logger on stdout). */
  log?: LogSink;
  /**
   * An enqueue resolves only once this many replicas have its write (Redis `WAIT`), else it throws:
   * replication is asynchronous, and a primary lost right after answering loses writes its replicas
   * never got. One server or Sentinel only (unset: the primary's answer is the acknowledgement).
   */
  replicaAcks?: { replicas: number; timeoutMs: number };
}

/** The typed producer API the main app uses; every method validates its input and returns the job id. */
export class Producer {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly connection: RedisConnection;
  private readonly ownsConnection: boolean;
  private readonly prefix: string;
  private readonly leadMs: number;
  private readonly telemetry: Telemetry | undefined;
  private readonly log: LogSink | undefined;
  private readonly replicaAcks: ProducerOptions["replicaAcks"];
  private closing?: Promise<void>;

  constructor(options: ProducerOptions) {
    const given = options.connection;
    this.ownsConnection = typeof given === "string" || "kind" in given;
    this.connection = typeof given === "string" || "kind" in given ? createProducerConnection(given, { log: options.log }) : given;
    this.log = options.log;
    this.prefix = options.prefix ?? "bull";
    this.leadMs = (options.reminderLeadMinutes ?? 15) * 60_000;
    this.telemetry = options.telemetry;
    if (options.replicaAcks && this.connection.isCluster) throw new Error("replicaAcks: not on a Cluster (WAIT would reach a random node, not the queue's)");
    this.replicaAcks = options.replicaAcks;
  }

  /** Enqueues any email template; the caller's `idempotencyKey` (required) names the message, sent once. */
  async enqueueEmail(input: EmailInput): Promise<string> {
    return this.addPrepared(prepareJob.enqueueEmail(input));
  }

  /** Schedules the booking's reminder at callDateTime − lead; a second call for the same booking is a no-op. */
  async scheduleBookingReminder(input: BookingReminderInput): Promise<string> {
    return this.addPrepared(prepareJob.scheduleBookingReminder(input));
  }

  /** Moves the booking's reminder to the new call time (or creates it); the job re-checks the time when it runs. */
  async rescheduleBookingReminder(input: BookingReminderInput): Promise<string> {
    const { bookingId: id, callDateTime } = parseOrThrow("booking reminder", reminderInput, input);
    const queue = this.queue("reminders");
    const jobId = jobIds.reminder(id);
    const existing = await queue.getJob(jobId);
    const { delay } = this.dueAt(callDateTime);
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
    return this.add("booking-reminder", { bookingId: id }, { jobId, ...this.dueAt(callDateTime) });
  }

  /** Cancels the booking's pending reminder; false when none was pending (a running one re-reads the booking). */
  async cancelBookingReminder(input: BookingReminderCancelInput): Promise<boolean> {
    const { bookingId: id } = parseOrThrow("booking reminder cancellation", reminderCancelInput, input);
    const job = await this.queue("reminders").getJob(jobIds.reminder(id));
    if (!job) return false;
    const state = await job.getState();
    if (state === "active" || state === "completed" || state === "failed") return false;
    try {
      await job.remove();
      return true;
    } catch (error) {
      // It became active (locked) in between: it will see the booking is no longer confirmed. Any
      // other failure (Redis down) must reach the caller, not read as "nothing was pending".
      if (["active", "completed", "failed"].includes(await job.getState())) return false;
      throw error;
    }
  }

  /** Enqueues the deletion of one booking's Daily room. */
  async enqueueRoomDeletion(input: RoomDeletionInput): Promise<string> {
    return this.addPrepared(prepareJob.enqueueRoomDeletion(input));
  }

  /** Enqueues the payment of one requested payout (paid once, whatever the number of calls). */
  async enqueuePayout(input: PayoutInput): Promise<string> {
    return this.addPrepared(prepareJob.enqueuePayout(input));
  }

  /**
   * Adds jobs prepared by `prepareJob` (already validated), one round trip per queue; an id already
   * in Redis is not added again. Returns the job ids, in order. The outbox relay's path.
   */
  async addPrepared(job: PreparedJob): Promise<string>;
  async addPrepared(jobs: readonly PreparedJob[]): Promise<string[]>;
  async addPrepared(jobOrJobs: PreparedJob | readonly PreparedJob[]): Promise<string | string[]> {
    const jobs: readonly PreparedJob[] = Array.isArray(jobOrJobs) ? jobOrJobs : [jobOrJobs as PreparedJob];
    if (this.connection.status !== "ready") await waitForRedis(this.connection, 5_000);
    const byQueue = new Map<QueueName, number[]>();
    jobs.forEach((job, i) => {
      const queue = JOBS[job.name].queue;
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), i]);
    });
    const ids: string[] = jobs.map((job) => job.jobId);
    await Promise.all(
      [...byQueue].map(async ([queue, indexes]) => {
        const added = await this.queue(queue).addBulk(
          indexes.map((i) => {
            const job = jobs[i]!;
            const delay = job.callDateTime ? this.dueAt(job.callDateTime) : {};
            return { name: job.name, data: job.data, opts: { ...JOBS[job.name].options, jobId: job.jobId, ...delay } };
          }),
        );
        added.forEach((job, k) => (ids[indexes[k]!] = job.id ?? ids[indexes[k]!]!));
      }),
    );
    await this.replicated();
    return Array.isArray(jobOrJobs) ? ids : ids[0]!;
  }

  /** Runs a declared cron now (the ops API's POST /api/cron/<id>). */
  async runCron(schedulerId: string, requestedBy = "ops-api"): Promise<string> {
    if (!isSchedulerId(schedulerId)) {
      throw new ValidationError("cron trigger", [{ path: "schedulerId", message: `unknown scheduler "${schedulerId}"` }]);
    }
    const spec = SCHEDULERS[schedulerId];
    return this.add(spec.jobName, { trigger: "manual", requestedBy }, { jobId: jobIds.manualCron(spec.id) });
  }

  /** The BullMQ queue behind `name` (created on first use). */
  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: queuePrefix(this.prefix, name, this.connection), ...(this.telemetry ? { telemetry: this.telemetry } : {}) });
      queue.on("error", (error) => (this.log ?? fallbackLogSink()).error({ queue: name, err: error }, `queue ${name} error: ${error.message}`));
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
    await this.replicated();
    return job.id ?? String(options.jobId);
  }

  /** With replicaAcks: waits until the writes of this connection so far are on enough replicas. */
  private async replicated(): Promise<void> {
    if (!this.replicaAcks) return;
    const { replicas, timeoutMs } = this.replicaAcks;
    const acked = Number(await this.connection.call("WAIT", replicas, timeoutMs));
    // The job may exist (on the primary only): a retry with the same deterministic id adds nothing twice.
    if (acked < replicas) throw new Error(`enqueue not acknowledged: on ${acked} of ${replicas} replica(s) after ${timeoutMs} ms (replicaAcks)`);
  }

  /**
   * The delay until callDateTime − lead, with the timestamp it counts from: BullMQ stamps a job when
   * it builds it, after our awaits, so without our own stamp the job came due a few ms late.
   */
  private dueAt(callDateTime: Date): { delay: number; timestamp: number } {
    const timestamp = Date.now();
    return { delay: Math.max(0, callDateTime.getTime() - this.leadMs - timestamp), timestamp };
  }
}

/** Creates the producer the main app imports from `@callastar/producer`. */
export function createProducer(options: ProducerOptions): Producer {
  return new Producer(options);
}

