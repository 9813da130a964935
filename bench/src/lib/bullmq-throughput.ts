// One measured run: addBulk N jobs, then time from worker start until all N are completed.
import { randomBytes } from "node:crypto";
import { Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import { startCpuAccount, type CpuSpent } from "./cpu-account";

export interface ThroughputRun {
  jobsPerSecond: number;
  seconds: number;
  /** CPU spent while the jobs ran (adding them excluded). */
  cpu: CpuSpent;
}

/** Runs `jobs` jobs through a fresh queue (unique prefix, obliterated after) with `processor`. */
export async function measureJobs(
  redisUrl: string,
  label: string,
  jobs: number,
  concurrency: number,
  processor: (job: Job<{ i: number }>) => Promise<void>,
): Promise<ThroughputRun> {
  const prefix = `bench-logger-${label}-${randomBytes(4).toString("hex")}`;
  const queueConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  queueConnection.on("error", (e) => console.error(`queue redis: ${e.message}`));
  workerConnection.on("error", (e) => console.error(`worker redis: ${e.message}`));
  const queue = new Queue("bench", { connection: queueConnection, prefix });
  let worker: Worker | undefined;
  try {
    for (let from = 0; from < jobs; from += 5000) {
      const batch = Array.from({ length: Math.min(5000, jobs - from) }, (_, k) => ({ name: "j", data: { i: from + k } }));
      await queue.addBulk(batch);
    }
    let done = 0;
    let failed = 0;
    let finish!: () => void;
    const allDone = new Promise<void>((resolve) => (finish = resolve));
    worker = new Worker("bench", processor, { connection: workerConnection, prefix, concurrency, autorun: false });
    worker.on("error", (e) => console.error(`worker: ${e.message}`));
    worker.on("completed", () => {
      if (++done + failed === jobs) finish();
    });
    worker.on("failed", (_job, error) => {
      failed++;
      console.error(`job failed: ${error.message}`);
      if (done + failed === jobs) finish();
    });
    const account = startCpuAccount();
    const t0 = performance.now();
    void worker.run();
    await allDone;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = account.stop();
    if (failed) throw new Error(`${failed} jobs failed in ${label}`);
    return { jobsPerSecond: jobs / seconds, seconds, cpu };
  } finally {
    await worker?.close();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    await queueConnection.quit();
    await workerConnection.quit();
  }
}
