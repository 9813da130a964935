import { SCHEDULERS } from "@callastar/queues";
import { creds, useDashboard } from "./testing/harness";

const env = useDashboard();

const bearer = { authorization: `Bearer ${creds.cronSecret}` };

describe("POST /api/cron/:id", () => {
  it("runs the cron now: 202 with the job id, and the job waits in its queue with trigger manual", async () => {
    const res = await fetch(`${env.dash().base}/api/cron/process-payouts`, { method: "POST", headers: bearer });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { jobId: string; schedulerId: string };
    expect(body.schedulerId).toBe("process-payouts");
    const job = await env.dash().producer.queue(SCHEDULERS["process-payouts"].queue).getJob(body.jobId);
    expect(job?.name).toBe("process-payouts");
    expect(job?.data).toMatchObject({ trigger: "manual", requestedBy: "ops-api" });
  });

  it("accepts the x-cron-secret header too", async () => {
    const res = await fetch(`${env.dash().base}/api/cron/cleanup-logs`, { method: "POST", headers: { "x-cron-secret": creds.cronSecret } });
    expect(res.status).toBe(202);
  });

  it("an unknown cron is 404, and nothing is enqueued", async () => {
    const res = await fetch(`${env.dash().base}/api/cron/drop-tables`, { method: "POST", headers: bearer });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'unknown cron "drop-tables"' });
  });

  it("no CSRF check applies (no cookies involved): a foreign Origin with the secret still runs", async () => {
    const res = await fetch(`${env.dash().base}/api/cron/cleanup-logs`, { method: "POST", headers: { ...bearer, origin: "https://elsewhere.example" } });
    expect(res.status).toBe(202);
  });
});

describe("GET /api/cron/:id", () => {
  it("tells the schedule, the next run and the last logged run", async () => {
    const before = await (await fetch(`${env.dash().base}/api/cron/cleanup-daily-rooms`, { headers: bearer })).json();
    expect(before).toMatchObject({ id: "cleanup-daily-rooms", registered: false, nextRun: null, defaultPattern: "0 * * * *" });

    const queue = env.dash().producer.queue("rooms");
    await queue.upsertJobScheduler("cleanup-daily-rooms", { pattern: "15 * * * *", tz: "Europe/Paris" }, { name: "cleanup-daily-rooms", data: { trigger: "schedule" } });
    await env.services().logger.logCronRun("cleanup-daily-rooms", 3, 120, { roomsDeleted: 3 });
    await env.services().logger.logCronError("cleanup-logs", new Error("unrelated cron"), {});

    const res = await fetch(`${env.dash().base}/api/cron/cleanup-daily-rooms`, { headers: bearer });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { nextRun: string; lastRun: Record<string, unknown> };
    expect(body).toMatchObject({ id: "cleanup-daily-rooms", registered: true, pattern: "15 * * * *", tz: "Europe/Paris" });
    expect(new Date(body.nextRun).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(body.nextRun).getUTCMinutes()).toBe(15);
    expect(body.lastRun).toMatchObject({ type: "CRON_RUN", status: "SUCCESS", context: expect.objectContaining({ cronType: "cleanup-daily-rooms", roomsDeleted: 3 }) });
  });

  it("unknown id → 404; without the secret → 401", async () => {
    expect((await fetch(`${env.dash().base}/api/cron/nope`, { headers: bearer })).status).toBe(404);
    expect((await fetch(`${env.dash().base}/api/cron/cleanup-logs`)).status).toBe(401);
  });
});
