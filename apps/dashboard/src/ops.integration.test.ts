import { Worker } from "bullmq";
import { QUEUE_NAMES, createWorkerConnection } from "@callastar/queues";
import { auditRunContext, verifyAudit } from "@callastar/reconciler";
import { seedFact } from "@callastar/reconciler/testing";
import { seedBooking, testEnv, waitFor } from "@callastar/testing";
import { basic, creds, useDashboard } from "./testing/harness";

const env = useDashboard();
const auth = { authorization: basic(creds.admin) };


describe("GET /metrics", () => {
  it("exports queue gauges, workers, waiting age, scheduler next runs, the payout backlog and the logger backlog in Prometheus text format", async () => {
    const queue = env.dash().producer.queue("emails");
    await queue.add("send-email", { n: 1 });
    await queue.add("send-email", { n: 2 }, { delay: 60_000 });
    const connection = createWorkerConnection(testEnv.redisUrl);
    const worker = new Worker("maintenance", async () => new Promise((r) => setTimeout(r, 20)), { connection, prefix: env.dash().prefix });
    const seeded = await seedBooking(env.services().db, { callDateTime: new Date(Date.now() + 3600_000), label: `m${Date.now()}` });
    await env.services().db.sql`INSERT INTO "Payout" (id, "creatorId", amount, status, "processingAt")
      VALUES (${`po_metrics_${Date.now()}`}, ${seeded.creatorId}, 1000, 'PROCESSING', timezone('UTC', now()) - interval '10 minutes')`;
    await env.dash().producer.queue("maintenance").upsertJobScheduler("cleanup-logs", { pattern: "0 3 * * *" }, { name: "cleanup-logs", data: { trigger: "schedule" } });
    const next = (await env.dash().producer.queue("maintenance").getJobScheduler("cleanup-logs"))?.next;
    try {
      await env.dash().producer.queue("maintenance").add("cleanup-logs", { trigger: "manual" });
      await waitFor("a completed job", async () => (await env.dash().producer.queue("maintenance").getCompletedCount()) === 1);
      const res = await fetch(`${env.dash().base}/metrics`, { headers: auth });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      expect(text).toContain("# TYPE callastar_queue_jobs gauge");
      expect(text).toContain('callastar_queue_jobs{queue="emails",state="waiting"} 1');
      expect(text).toContain('callastar_queue_jobs{queue="emails",state="delayed"} 1');
      expect(text).toContain('callastar_queue_jobs{queue="maintenance",state="completed"} 1');
      expect(text).toContain('callastar_queue_workers{queue="maintenance"} 1');
      expect(text).toContain('callastar_queue_workers{queue="emails"} 0');
      // What the alert rules watch: the oldest due job's wait, each scheduler's next run, the oldest PROCESSING payout.
      expect(text).toMatch(/callastar_queue_oldest_waiting_age_seconds\{queue="emails"\} \d/);
      expect(text).toContain('callastar_queue_oldest_waiting_age_seconds{queue="payouts"} 0');
      expect(text).toContain(`callastar_scheduler_next_run_timestamp_seconds{scheduler="cleanup-logs"} ${next! / 1000}`);
      expect(Number(/^callastar_payouts_processing_oldest_age_seconds (\S+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(600);
      // Job durations now come from the workers' own histograms, never recomputed from a sample here.
      expect(text).not.toContain("callastar_job_duration_seconds");
      expect(text).toContain("callastar_audit_logger_pending ");
      expect(text).toContain("callastar_audit_logger_degraded 0");
      for (const line of text.trim().split("\n")) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? (-?[\d.e+-]+|NaN))$/);
    } finally {
      await worker.close();
      await connection.quit();
    }
  });

  it("is 401 without credentials", async () => {
    expect((await fetch(`${env.dash().base}/metrics`)).status).toBe(401);
  });
});

describe("the last audit check", () => {
  it("is exported as callastar_audit_discrepancies{check,kind} with its time, and shown on the logs page", async () => {
    const metrics = async () => (await fetch(`${env.dash().base}/metrics`, { headers: auth })).text();
    const logsPage = async () => (await fetch(`${env.dash().base}/logs`, { headers: auth })).text();
    expect(await metrics()).toContain("# TYPE callastar_audit_discrepancies gauge");
    expect(await metrics()).not.toContain("callastar_audit_discrepancies{");
    expect(await logsPage()).toContain("Audit check: no verify-audit run yet.");

    // What the maintenance worker's verify-audit run writes: the reconciler's counts in its CRON_RUN.
    const { creatorId } = await seedBooking(env.services().db, { callDateTime: new Date(Date.now() + 86_400_000) });
    await seedFact(env.services().db, "payout-paid", creatorId, new Date(Date.now() - 60_000));
    const report = await verifyAudit(env.services().db.db, { since: new Date(Date.now() - 3600_000) });
    await env.services().logger.logCronRun("verify-audit", 1, 5, auditRunContext(report));
    const text = await metrics();
    expect(text).toContain('callastar_audit_discrepancies{check="payout-paid",kind="missing"} 1');
    expect(text).toContain('callastar_audit_discrepancies{check="payout-paid",kind="duplicated"} 0');
    expect(text).toContain('callastar_audit_discrepancies{check="cron-error",kind="missing"} 0');
    expect(text).toContain('callastar_audit_discrepancies{check="reminder-emails",kind="unfulfilled"} 0');
    const at = Number(/callastar_audit_last_check_timestamp_seconds (\d+)/.exec(text)?.[1]);
    expect(Math.abs(at - Date.now() / 1000)).toBeLessThan(3600);
    const page = await logsPage();
    expect(page).toContain("1 discrepancy</strong> (1 missing, 0 duplicated, 0 unfulfilled)");

    await verifyAudit(env.services().db.db, { since: new Date(Date.now() - 3600_000), repair: true });
    await env.services().logger.logCronRun("verify-audit", 1, 5, auditRunContext(await verifyAudit(env.services().db.db, { since: new Date(Date.now() - 3600_000) })));
    await waitFor("the newer run", async () => (await metrics()).includes('callastar_audit_discrepancies{check="payout-paid",kind="missing"} 0'));
    expect(await logsPage()).toMatch(/Audit check: <strong>clean<\/strong>/);
  });
});

describe("GET /readyz", () => {
  it("is 503 naming the queues without a worker, and 200 once each queue has one", async () => {
    const before = await fetch(`${env.dash().base}/readyz`, { headers: auth });
    expect(before.status).toBe(503);
    const body = (await before.json()) as { redis: string; postgres: string; failed: string[] };
    expect(body).toMatchObject({ redis: "ok", postgres: "ok" });
    expect(body.failed.sort()).toEqual(QUEUE_NAMES.map((q) => `workers:${q}`).sort());

    const connection = createWorkerConnection(testEnv.redisUrl);
    const workers = QUEUE_NAMES.map((name) => new Worker(name, async () => undefined, { connection, prefix: env.dash().prefix }));
    try {
      await Promise.all(workers.map((w) => w.waitUntilReady()));
      await waitFor("readiness", async () => (await fetch(`${env.dash().base}/readyz`, { headers: auth })).status === 200);
      const after = (await (await fetch(`${env.dash().base}/readyz`, { headers: auth })).json()) as { status: string; failed: string[] };
      expect(after).toMatchObject({ status: "ready", failed: [] });
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await connection.quit();
    }
  });
});
