import { Worker, type Job } from "bullmq";
import { createWorkerConnection } from "@callastar/queues";
import { testEnv, waitFor } from "@callastar/testing";
import { basic, creds, useDashboard } from "./testing/harness";

const env = useDashboard();

/** A job of `queue` that a real Worker failed once; the worker is closed again. */
async function failedJob(queueName: "emails"): Promise<Job> {
  const queue = env.dash().producer.queue(queueName);
  const job = await queue.add("send-email", { broken: true }, { attempts: 1 });
  const connection = createWorkerConnection(testEnv.redisUrl);
  const worker = new Worker(queueName, async () => {
    throw new Error("provider down");
  }, { connection, prefix: env.dash().prefix });
  try {
    await waitFor("the job to fail", async () => (await queue.getJobState(job.id as string)) === "failed");
  } finally {
    await worker.close();
    await connection.quit();
  }
  return job;
}

describe("Bull Board roles", () => {
  it("lists every queue of the catalog", async () => {
    const res = await fetch(`${env.dash().base}/admin/queues/api/queues`, { headers: { authorization: basic(creds.viewer) } });
    const body = (await res.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name).sort()).toEqual(["emails", "maintenance", "payouts", "reminders", "rooms"]);
  });

  it("a viewer cannot retry a failed job (403); the admin can, and the job leaves the failed set", async () => {
    const job = await failedJob("emails");
    const url = `${env.dash().base}/admin/queues/api/queues/emails/${job.id}/retry`;
    const headers = (user: { name: string; password: string }) => ({ authorization: basic(user), origin: env.dash().base });

    const asViewer = await fetch(url, { method: "PUT", headers: headers(creds.viewer) });
    expect(asViewer.status).toBe(403);
    expect(await env.dash().producer.queue("emails").getJobState(job.id as string)).toBe("failed");
    for (const action of ["promote", "clean"]) {
      const res = await fetch(`${env.dash().base}/admin/queues/api/queues/emails/${job.id}/${action}`, { method: "PUT", headers: headers(creds.viewer) });
      expect(res.status).toBe(403);
    }
    expect(await env.dash().producer.queue("emails").getJobState(job.id as string)).toBe("failed");

    const asAdmin = await fetch(url, { method: "PUT", headers: headers(creds.admin) });
    expect(asAdmin.status).toBeGreaterThanOrEqual(200);
    expect(asAdmin.status).toBeLessThan(300);
    expect(await env.dash().producer.queue("emails").getJobState(job.id as string)).not.toBe("failed");
    expect(await env.dash().producer.queue("emails").getFailedCount()).toBe(0);
  });

  it("the viewer's board is Bull Board's read-only one", async () => {
    const viewer = (await (await fetch(`${env.dash().base}/admin/queues/api/queues`, { headers: { authorization: basic(creds.viewer) } })).json()) as { queues: { readOnlyMode: boolean }[] };
    const admin = (await (await fetch(`${env.dash().base}/admin/queues/api/queues`, { headers: { authorization: basic(creds.admin) } })).json()) as { queues: { readOnlyMode: boolean }[] };
    expect(viewer.queues.every((q) => q.readOnlyMode)).toBe(true);
    expect(admin.queues.every((q) => !q.readOnlyMode)).toBe(true);
  });

  it("job schedulers are visible to the board", async () => {
    await env.dash().producer.queue("maintenance").upsertJobScheduler("cleanup-logs", { pattern: "0 3 * * *" }, { name: "cleanup-logs", data: { trigger: "schedule" } });
    const res = await fetch(`${env.dash().base}/admin/queues/api/job-schedulers`, { headers: { authorization: basic(creds.viewer) } });
    expect(res.status).toBe(200);
    expect(JSON.stringify(await res.json())).toContain("cleanup-logs");
  });
});
