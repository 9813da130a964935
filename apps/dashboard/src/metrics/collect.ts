import type { Queue } from "bullmq";
import { QUEUE_NAMES, type QueueName } from "@callastar/queues";
import type { DashboardLogger } from "../deps";
import { auditFamilies, lastAuditRun } from "./audit";
import { quantile, type MetricFamily, type Sample } from "./prometheus";

/** Job states exported as `callastar_queue_jobs{state}`. */
export const JOB_STATES = ["waiting", "active", "delayed", "completed", "failed", "prioritized", "waiting-children"] as const;
const QUANTILES = [0.5, 0.9, 0.99];

async function durationsOf(queue: Queue, sampleSize: number): Promise<number[]> {
  const jobs = await queue.getJobs(["completed"], 0, sampleSize - 1);
  return jobs
    .map((job) => (job?.finishedOn && job.processedOn ? (job.finishedOn - job.processedOn) / 1000 : undefined))
    .filter((d): d is number => d !== undefined && d >= 0)
    .sort((a, b) => a - b);
}

/** Reads every queue, the audit logger and the last audit check into Prometheus families. */
export async function collectMetrics(queueOf: (name: QueueName) => Queue, logger: DashboardLogger, sampleSize = 200): Promise<MetricFamily[]> {
  const jobs: Sample[] = [];
  const workers: Sample[] = [];
  const lastMinute: Sample[] = [];
  const finishedTotal: Sample[] = [];
  const duration: Sample[] = [];
  await Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const queue = queueOf(name);
      const [counts, workerCount, completed, failed, durations] = await Promise.all([
        queue.getJobCounts(...JOB_STATES),
        queue.getWorkersCount(),
        queue.getMetrics("completed", 0, 0),
        queue.getMetrics("failed", 0, 0),
        durationsOf(queue, sampleSize),
      ]);
      for (const state of JOB_STATES) jobs.push({ labels: { queue: name, state }, value: counts[state] ?? 0 });
      workers.push({ labels: { queue: name }, value: workerCount });
      for (const [state, m] of [["completed", completed], ["failed", failed]] as const) {
        lastMinute.push({ labels: { queue: name, state }, value: m.data[0] ?? 0 });
        finishedTotal.push({ labels: { queue: name, state }, value: m.meta.count ?? 0 });
      }
      for (const q of QUANTILES) duration.push({ labels: { queue: name, quantile: String(q) }, value: quantile(durations, q) });
      duration.push({ labels: { queue: name }, value: durations.reduce((a, b) => a + b, 0), suffix: "_sum" });
      duration.push({ labels: { queue: name }, value: durations.length, suffix: "_count" });
    }),
  );
  const byQueue = (a: Sample, b: Sample) => (a.labels?.queue ?? "").localeCompare(b.labels?.queue ?? "");
  const families: MetricFamily[] = [
    { name: "callastar_queue_jobs", help: "Jobs per queue and state (BullMQ getJobCounts).", type: "gauge", samples: jobs.sort(byQueue) },
    { name: "callastar_queue_workers", help: "Live workers connected to the queue.", type: "gauge", samples: workers.sort(byQueue) },
    {
      name: "callastar_queue_finished_last_minute",
      help: "Jobs finished in the last complete minute (BullMQ metrics; 0 unless workers collect metrics).",
      type: "gauge",
      samples: lastMinute.sort(byQueue),
    },
    {
      name: "callastar_queue_finished_total",
      help: "Jobs finished since BullMQ metrics collection began (0 unless workers collect metrics).",
      type: "counter",
      samples: finishedTotal.sort(byQueue),
    },
    {
      name: "callastar_job_duration_seconds",
      help: `Processing time (finishedOn - processedOn) of the last ${sampleSize} completed jobs per queue.`,
      type: "summary",
      samples: duration.sort(byQueue),
    },
  ];
  return [...families, ...loggerFamilies(logger), ...auditFamilies(await lastAuditRun(logger))];
}

function loggerFamilies(logger: DashboardLogger): MetricFamily[] {
  const m = logger.metrics();
  const gauge = (name: string, help: string, value: number | boolean): MetricFamily => ({
    name: `callastar_audit_logger_${name}`,
    help,
    type: "gauge",
    samples: [{ value: Number(value) }],
  });
  const counter = (name: string, help: string, value: number): MetricFamily => ({ ...gauge(name, help, value), type: "counter" });
  return [
    gauge("pending", "Log rows buffered in memory, not yet written.", m.pending),
    gauge("in_flight", "Log rows being written right now.", m.inFlight),
    gauge("spooled", "Log rows waiting in the on-disk spool for PostgreSQL to come back.", m.spooled),
    gauge("degraded", "1 while the logger cannot reach PostgreSQL.", m.degraded),
    counter("dropped_total", "Log rows the logger had to drop.", m.dropped),
    counter("written_total", "Log rows written to PostgreSQL by this process.", m.written),
    counter("failed_flushes_total", "Flushes to PostgreSQL that failed.", m.failedFlushes),
    counter("replayed_total", "Spooled rows replayed into PostgreSQL.", m.replayed),
  ];
}
