import type { Queue } from "bullmq";
import { QUEUE_NAMES, type QueueName } from "@callastar/queues";
import type { DashboardDeps, DashboardLogger } from "../deps";
import type { MetricFamily, Sample } from "./prometheus";
import { systemFamilies } from "./system";
import { auditFamilies, lastAuditRun } from "./audit";

/** Job states exported as `callastar_queue_jobs{state}`. */
const JOB_STATES = ["waiting", "active", "delayed", "completed", "failed", "prioritized", "waiting-children"] as const;
/**
 * Reads every queue, the database's payout backlog and this process' audit logger into Prometheus
 * families. Job counts and durations per job come from the workers' own /metrics (monotonic there).
 */
export async function collectMetrics(queueOf: (name: QueueName) => Queue, logger: DashboardLogger, db: DashboardDeps["db"]): Promise<MetricFamily[]> {
  const jobs: Sample[] = [];
  const workers: Sample[] = [];
  await Promise.all(
    QUEUE_NAMES.map(async (name) => {
      const queue = queueOf(name);
      const [counts, workerCount] = await Promise.all([queue.getJobCounts(...JOB_STATES), queue.getWorkersCount()]);
      for (const state of JOB_STATES) jobs.push({ labels: { queue: name, state }, value: counts[state] ?? 0 });
      workers.push({ labels: { queue: name }, value: workerCount });
    }),
  );
  const byQueue = (a: Sample, b: Sample) => (a.labels?.queue ?? "").localeCompare(b.labels?.queue ?? "");
  const families: MetricFamily[] = [
    { name: "callastar_queue_jobs", help: "Jobs per queue and state (BullMQ getJobCounts).", type: "gauge", samples: jobs.sort(byQueue) },
    { name: "callastar_queue_workers", help: "Live workers connected to the queue.", type: "gauge", samples: workers.sort(byQueue) },
  ];
  return [...families, ...(await systemFamilies(queueOf, db)), ...loggerFamilies(logger), ...auditFamilies(await lastAuditRun(logger))];
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
