// Queue-wide and database-wide figures the alert rules watch (deploy/prometheus/alerts.yml): how long
// the oldest due job has waited, when each job scheduler fires next, the oldest PROCESSING payout.
import type { Queue } from "bullmq";
import { QUEUE_NAMES, SCHEDULERS, SCHEDULER_IDS, type QueueName } from "@callastar/queues";
import type { DashboardDeps } from "../deps";
import type { MetricFamily, Sample } from "./prometheus";

/** Seconds since the oldest waiting job of `queue` became due (0 when none waits). */
async function oldestWaitingAge(queue: Queue, now: number): Promise<number> {
  const [oldest] = await queue.getJobs(["waiting", "prioritized"], 0, 0, true);
  if (!oldest) return 0;
  const dueAt = oldest.timestamp + (oldest.delay ?? 0);
  return Math.max(0, (now - dueAt) / 1000);
}

export async function systemFamilies(queueOf: (name: QueueName) => Queue, db: DashboardDeps["db"], now = Date.now()): Promise<MetricFamily[]> {
  const ages: Sample[] = await Promise.all(
    QUEUE_NAMES.map(async (name) => ({ labels: { queue: name }, value: await oldestWaitingAge(queueOf(name), now) })),
  );
  const nextRuns: Sample[] = [];
  for (const id of SCHEDULER_IDS) {
    const scheduler = await queueOf(SCHEDULERS[id].queue).getJobScheduler(id);
    if (scheduler?.next) nextRuns.push({ labels: { scheduler: id }, value: scheduler.next / 1000 });
  }
  // "processingAt" is a UTC timestamp without time zone (Prisma's convention).
  const [row] = await db.sql<{ age: number | null }[]>`
    SELECT EXTRACT(EPOCH FROM (timezone('UTC', now()) - min("processingAt")))::float8 AS age
    FROM "Payout" WHERE "status" = 'PROCESSING'`;
  return [
    { name: "callastar_queue_oldest_waiting_age_seconds", help: "Seconds the oldest due job of the queue has been waiting for a worker.", type: "gauge", samples: ages },
    { name: "callastar_scheduler_next_run_timestamp_seconds", help: "Unix time of each job scheduler's next run (in the past: overdue).", type: "gauge", samples: nextRuns },
    {
      name: "callastar_payouts_processing_oldest_age_seconds",
      help: "Seconds since the oldest payout still PROCESSING was claimed (0 when none).",
      type: "gauge",
      samples: [{ value: Math.max(0, row?.age ?? 0) }],
    },
  ];
}
