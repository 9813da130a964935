// Per-process Prometheus metrics (prom-client): counters and histograms fed by each BullMQ Worker's own
// events, so they are monotonic for the life of the process (a restart starts a new series, which
// Prometheus' rate() handles), plus the audit logger's figures and prom-client's process metrics.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Job, Worker } from "bullmq";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AuditLogger, AuditLoggerMetrics } from "@callastar/audit-log";
import type { HealthCheck, LoopStatus } from "./loop-watchdog";

/** Seconds buckets from 5 ms to 5 min: a reminder takes milliseconds, a payout sweep minutes. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** True when no attempt will follow this failure (BullMQ's own rule: attempts spent, or unrecoverable). */
function isFinalFailure(job: Pick<Job, "attemptsMade" | "opts">, error: Pick<Error, "name">): boolean {
  return error.name === "UnrecoverableError" || job.attemptsMade >= (job.opts.attempts ?? 1);
}

const RATE_LIMIT_ERRORS = new Set(["RateLimitError", "RateLimitedError"]);

/** The metrics of one worker process. */
export class ProcessMetrics {
  readonly registry = new Registry();
  private readonly completed: Counter<"queue" | "job">;
  private readonly failed: Counter<"queue" | "job">;
  private readonly retried: Counter<"queue" | "job">;
  private readonly stalled: Counter<"queue">;
  private readonly rateLimited: Counter<"queue">;
  private readonly duration: Histogram<"queue" | "job" | "outcome">;

  constructor(labels: { app: string }) {
    this.registry.setDefaultLabels(labels);
    collectDefaultMetrics({ register: this.registry });
    const reg = [this.registry];
    this.completed = new Counter({ name: "callastar_jobs_completed_total", help: "Jobs completed by this process.", labelNames: ["queue", "job"], registers: reg });
    this.failed = new Counter({ name: "callastar_jobs_failed_total", help: "Jobs that failed for good in this process (no attempt left, or unrecoverable).", labelNames: ["queue", "job"], registers: reg });
    this.retried = new Counter({ name: "callastar_jobs_retried_total", help: "Job attempts that failed in this process and will be retried.", labelNames: ["queue", "job"], registers: reg });
    this.stalled = new Counter({ name: "callastar_jobs_stalled_total", help: "Stalled jobs (their worker died or hung) this process moved back or failed.", labelNames: ["queue"], registers: reg });
    this.rateLimited = new Counter({ name: "callastar_rate_limit_waits_total", help: "Provider 429s that paused the queue (not counted as failures).", labelNames: ["queue"], registers: reg });
    this.duration = new Histogram({
      name: "callastar_job_duration_seconds",
      help: "Processing time of each finished attempt (processedOn → finishedOn).",
      labelNames: ["queue", "job", "outcome"],
      buckets: DURATION_BUCKETS,
      registers: reg,
    });
  }

  /** Counts a worker's finished attempts from its own events. */
  observe(worker: Worker, queue: string): void {
    worker.on("completed", (job) => {
      this.completed.inc({ queue, job: job.name });
      this.observeDuration(queue, job, "completed");
    });
    worker.on("failed", (job, error) => {
      // A 429 is counted by the processor's hook (rateLimitWait), never as a failure.
      if (!job || RATE_LIMIT_ERRORS.has(error.name)) return;
      if (isFinalFailure(job, error)) this.failed.inc({ queue, job: job.name });
      else this.retried.inc({ queue, job: job.name });
      this.observeDuration(queue, job, "failed");
    });
    worker.on("stalled", () => this.stalled.inc({ queue }));
  }

  /** Counts a 429 that paused `queue` (the processor rethrows it as BullMQ's RateLimitError). */
  rateLimitWait(queue: string): void {
    this.rateLimited.inc({ queue });
  }

  /** Exports the audit logger's backlog and totals, read at each scrape. */
  observeLogger(logger: Pick<AuditLogger, "metrics">): void {
    const reg = [this.registry];
    const read = (): AuditLoggerMetrics => logger.metrics();
    const gauge = (name: string, help: string, pick: (m: AuditLoggerMetrics) => number | boolean) =>
      new Gauge({
        name,
        help,
        registers: reg,
        collect() {
          this.set(Number(pick(read())));
        },
      });
    // The logger keeps running totals; each scrape adds what changed, so the counters stay monotonic.
    const counter = (name: string, help: string, pick: (m: AuditLoggerMetrics) => number) => {
      let seen = 0;
      return new Counter({
        name,
        help,
        registers: reg,
        collect() {
          const now = pick(read());
          if (now > seen) this.inc(now - seen);
          seen = Math.max(seen, now);
        },
      });
    };
    gauge("callastar_audit_logger_pending", "Audit rows buffered in memory, not yet committed.", (m) => m.pending);
    gauge("callastar_audit_logger_degraded", "1 while this process' audit logger cannot reach PostgreSQL.", (m) => m.degraded);
    counter("callastar_audit_logger_written_total", "Audit rows committed to PostgreSQL by this process.", (m) => m.written);
    counter("callastar_audit_logger_spooled_total", "Audit rows written to the on-disk spool during an outage.", (m) => m.spooled);
    counter("callastar_audit_logger_replayed_total", "Spooled audit rows replayed into PostgreSQL.", (m) => m.replayed);
    counter("callastar_audit_logger_dropped_total", "Audit rows that reached neither PostgreSQL nor the spool.", (m) => m.dropped);
  }

  /** Exports each watched background loop's state, read at each scrape. */
  observeLoops(read: () => LoopStatus[]): void {
    const reg = [this.registry];
    const gauge = (name: string, help: string, pick: (s: LoopStatus) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ["loop"],
        registers: reg,
        collect() {
          this.reset();
          for (const s of read()) this.set({ loop: s.loop }, pick(s));
        },
      });
    gauge("callastar_loop_stalled", "1 while a background loop makes no progress although work is due (it is restarted).", (s) => Number(s.stalled));
    gauge("callastar_loop_healthy", "0 once a restarted background loop still makes no progress (/healthz fails).", (s) => Number(s.healthy));
    gauge("callastar_loop_progress_age_seconds", "Seconds since a background loop last completed a step.", (s) => s.progressAgeMs / 1000);
    let seen = new Map<string, number>();
    new Counter({
      name: "callastar_loop_restarts_total",
      help: "Restarts of a stalled background loop by its watchdog.",
      labelNames: ["loop"],
      registers: reg,
      collect() {
        const now = new Map(read().map((s) => [s.loop, s.restarts]));
        for (const [loop, n] of now) if (n > (seen.get(loop) ?? 0)) this.inc({ loop }, n - (seen.get(loop) ?? 0));
        seen = new Map([...seen, ...now]);
      },
    });
  }

  private observeDuration(queue: string, job: Job, outcome: "completed" | "failed"): void {
    if (job.processedOn && job.finishedOn && job.finishedOn >= job.processedOn) {
      this.duration.observe({ queue, job: job.name, outcome }, (job.finishedOn - job.processedOn) / 1000);
    }
  }
}

/**
 * Serves `registry` as Prometheus text on `GET /metrics` and, with `health`, a liveness answer on
 * `GET /healthz` (port 0 picks a free port, for tests).
 */
/** A running metrics server (see serveMetrics). */
export interface ServedMetrics {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function serveMetrics(
  registry: Registry,
  port: number,
  host: string,
  health?: HealthCheck,
): Promise<ServedMetrics> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method === "GET" && path === "/healthz" && health) {
      const { healthy, body } = health();
      res.writeHead(healthy ? 200 : 503, { "content-type": "application/json", "cache-control": "no-store" }).end(JSON.stringify(body));
      return;
    }
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" }).end(text),
      (error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
