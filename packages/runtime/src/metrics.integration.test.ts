import { Queue, QueueEvents, UnrecoverableError, Worker } from "bullmq";
import { obliteratePrefix, testEnv, uniquePrefix, waitFor } from "@callastar/testing";
import { ProcessMetrics, serveMetrics } from "./metrics";

// Reads one sample from Prometheus text: `name{labels} value`.
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (want.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

it("counts completed, retried and failed attempts from the worker's events, with durations, on GET /metrics", async () => {
  const prefix = uniquePrefix("metrics");
  const connection = { url: testEnv.redisUrl };
  const queue = new Queue("emails", { connection, prefix });
  const events = new QueueEvents("emails", { connection, prefix });
  const metrics = new ProcessMetrics({ app: "test-worker" });
  let pending = 0;
  const worker = new Worker(
    "emails",
    async (job) => {
      if (job.name === "fails-once" && job.attemptsMade === 0) throw new Error("transient");
      if (job.name === "refused") throw new UnrecoverableError("bad input");
      return "ok";
    },
    { connection, prefix, concurrency: 4 },
  );
  metrics.observe(worker, "emails");
  metrics.observeLogger({ metrics: () => ({ pending, inFlight: 0, written: 7, flushes: 1, failedFlushes: 0, spooled: 2, replayed: 0, dropped: 0, rejected: 0, degraded: false }) });
  const served = await serveMetrics(metrics.registry, 0, "127.0.0.1");
  try {
    await events.waitUntilReady();
    await queue.addBulk([
      { name: "send-email", data: {} },
      { name: "send-email", data: {} },
      { name: "fails-once", data: {}, opts: { attempts: 2 } },
      { name: "refused", data: {}, opts: { attempts: 5 } },
    ]);
    // Drained to a known point: BullMQ counts 3 completions and 1 final failure, and the worker's
    // events for all four have reached the counters.
    await waitFor("3 completed and 1 failed job", async () => {
      const c = await queue.getJobCounts("completed", "failed");
      return c.completed === 3 && c.failed === 1;
    });
    pending = 3;
    const scrape = async () => (await fetch(`http://127.0.0.1:${served.port}/metrics`)).text();
    const text = await waitFor("the worker's events counted", async () => {
      const t = await scrape();
      return sample(t, "callastar_jobs_failed_total", { queue: "emails", job: "refused" }) === 1 &&
        sample(t, "callastar_jobs_completed_total", { queue: "emails", job: "fails-once" }) === 1 &&
        sample(t, "callastar_jobs_completed_total", { queue: "emails", job: "send-email" }) === 2
        ? t
        : undefined;
    });
    expect(sample(text, "callastar_jobs_completed_total", { queue: "emails", job: "send-email" })).toBe(2);
    expect(sample(text, "callastar_jobs_completed_total", { queue: "emails", job: "fails-once" })).toBe(1);
    expect(sample(text, "callastar_jobs_retried_total", { queue: "emails", job: "fails-once" })).toBe(1);
    expect(sample(text, "callastar_jobs_failed_total", { queue: "emails", job: "refused" })).toBe(1);
    expect(sample(text, "callastar_job_duration_seconds_count", { queue: "emails", job: "send-email", outcome: "completed" })).toBe(2);
    expect(sample(text, "callastar_audit_logger_pending", {})).toBe(3);
    expect(sample(text, "callastar_audit_logger_written_total", {})).toBe(7);
    expect(text).toContain('app="test-worker"');
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
    // A second scrape with unchanged totals keeps the counters where they were (monotonic, not re-added).
    const again = await scrape();
    expect(sample(again, "callastar_audit_logger_written_total", {})).toBe(7);
    expect((await fetch(`http://127.0.0.1:${served.port}/other`)).status).toBe(404);
  } finally {
    await served.close();
    await worker.close();
    await events.close();
    await queue.close();
    await obliteratePrefix(prefix);
  }
});
