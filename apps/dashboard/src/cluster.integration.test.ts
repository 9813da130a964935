// The dashboard as a real process on a real three-master Redis Cluster (REDIS_CLUSTER_NODES): Bull
// Board, /metrics, /readyz and the admin actions read and write each queue under its own hash tag
// (`<prefix>:{<queue>}`), the way the producer and the workers do, with no CROSSSLOT anywhere.
import { UnrecoverableError, Worker } from "bullmq";
import { QUEUE_NAMES, createWorkerConnection, queuePrefix, type QueueName, type RedisConnection } from "@callastar/queues";
import { Producer } from "@callastar/producer";
import { createTestDatabase, freePort, spawnApp, startRedisCluster, uniquePrefix, waitFor, type AppProcess, type RedisClusterSet, type TestDatabase } from "@callastar/testing";
import { basic, creds } from "./testing/harness";

let cluster: RedisClusterSet;
let t: TestDatabase;
let producer: Producer;
let dashboard: AppProcess | undefined;
let base: string;
const prefix = uniquePrefix("dashcluster");
/** Every response body the test read, searched for CROSSSLOT at the end. */
const bodies: string[] = [];

beforeAll(async () => {
  let port: number;
  [cluster, t, port] = await Promise.all([startRedisCluster(3), createTestDatabase(), freePort()]);
  base = `http://127.0.0.1:${port}`;
  dashboard = spawnApp("dashboard", {
    NODE_ENV: "test",
    DATABASE_URL: t.url,
    REDIS_CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(","),
    QUEUE_PREFIX: prefix,
    HOST: "127.0.0.1",
    PORT: String(port),
    CRON_SECRET: creds.cronSecret,
    DASHBOARD_ADMIN_USER: creds.admin.name,
    DASHBOARD_ADMIN_PASSWORD: creds.admin.password,
    DASHBOARD_VIEWER_USER: creds.viewer.name,
    DASHBOARD_VIEWER_PASSWORD: creds.viewer.password,
    DASHBOARD_SESSION_SECRET: creds.sessionSecret,
  });
  producer = new Producer({ connection: { kind: "cluster", nodes: cluster.nodes, tls: false }, prefix });
  await dashboard.waitForOutput("listening on ", 60_000);
}, 90_000);

afterAll(async () => {
  if (dashboard && dashboard.child.exitCode === null) dashboard.child.kill("SIGKILL");
  await producer?.close();
  await t?.drop();
  await cluster?.stop();
});

const admin = { authorization: basic(creds.admin) };

async function get(path: string, headers: Record<string, string> = admin): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${path}`, { headers });
  const text = await res.text();
  bodies.push(text);
  return { status: res.status, text };
}

interface BoardQueue {
  name: string;
  counts: Record<string, number>;
}

/** A BullMQ Worker on `name`, on the cluster under the queue's own prefix, failing every job for good (no retry). */
function failingWorker(name: QueueName, connection: RedisConnection): Worker {
  return new Worker(name, async (): Promise<void> => {
    throw new UnrecoverableError("failed on purpose");
  }, { connection, prefix: queuePrefix(prefix, name, connection) });
}

it("Bull Board, /metrics, /readyz and the admin actions work on a Redis Cluster", async () => {
  expect(await get("/healthz", {})).toEqual({ status: 200, text: JSON.stringify({ status: "ok" }) });

  // Jobs on three queues: two through the producer's calls, one through the cron API.
  const roomJob = await producer.enqueueRoomDeletion({ bookingId: "bk_cluster_1", roomName: "room-cluster-1" });
  await producer.enqueuePayout({ payoutId: "po_cluster_1" });
  const cron = await fetch(`${base}/api/cron/cleanup-logs`, { method: "POST", headers: { authorization: `Bearer ${creds.cronSecret}` } });
  const cronBody = await cron.text();
  bodies.push(cronBody);
  expect(cron.status).toBe(202);
  const { jobId: cronJob } = JSON.parse(cronBody) as { jobId: string };
  expect(await producer.queue("maintenance").getJobState(cronJob)).toBe("waiting");

  // Bull Board lists every queue of the catalog, each job counted in its own queue.
  const board = await get("/admin/queues/api/queues");
  expect(board.status).toBe(200);
  const queues = (JSON.parse(board.text) as { queues: BoardQueue[] }).queues;
  expect(queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
  const waiting = Object.fromEntries(queues.map((q) => [q.name, q.counts.waiting]));
  expect(waiting).toEqual({ emails: 0, reminders: 0, rooms: 1, payouts: 1, maintenance: 1 });

  // The viewer's read-only board sees the same; the job schedulers and a cron's status are read from the queue's slot.
  const viewerBoard = await get("/admin/queues/api/queues", { authorization: basic(creds.viewer) });
  expect((JSON.parse(viewerBoard.text) as { queues: BoardQueue[] }).queues.find((q) => q.name === "rooms")?.counts.waiting).toBe(1);
  await producer.queue("maintenance").upsertJobScheduler("cleanup-logs", { pattern: "0 3 * * *" }, { name: "cleanup-logs", data: { trigger: "schedule" } });
  const schedulers = await get("/admin/queues/api/job-schedulers");
  expect(schedulers.status).toBe(200);
  expect(schedulers.text).toContain("cleanup-logs");
  const cronStatus = await get("/api/cron/cleanup-logs", { authorization: `Bearer ${creds.cronSecret}` });
  expect(cronStatus.status).toBe(200);
  expect(JSON.parse(cronStatus.text)).toMatchObject({ id: "cleanup-logs", registered: true, pattern: "0 3 * * *" });
  // A wrong password is counted in Redis (the lockout) and refused.
  expect((await get("/metrics", { authorization: basic({ name: creds.admin.name, password: "wrong-password-1234" }) })).status).toBe(401);

  // /metrics reads the same figures.
  const metrics = await get("/metrics");
  expect(metrics.status).toBe(200);
  for (const q of ["rooms", "payouts", "maintenance"]) expect(metrics.text).toContain(`callastar_queue_jobs{queue="${q}",state="waiting"} 1`);
  for (const q of QUEUE_NAMES) expect(metrics.text).toContain(`callastar_queue_workers{queue="${q}"} 0`);

  // /readyz: Redis and PostgreSQL answer, every queue is read (0 workers, not an error), so 503 for the workers only.
  const unready = await get("/readyz");
  expect(unready.status).toBe(503);
  expect(JSON.parse(unready.text)).toMatchObject({ redis: "ok", postgres: "ok", workers: Object.fromEntries(QUEUE_NAMES.map((q) => [q, 0])), failed: QUEUE_NAMES.map((q) => `workers:${q}`) });

  // With a worker on every queue it is ready; the workers fail the jobs, which the admin then retries.
  const connections = QUEUE_NAMES.map(() => createWorkerConnection({ kind: "cluster", nodes: cluster.nodes, tls: false }));
  const workers = QUEUE_NAMES.map((name, i) => failingWorker(name, connections[i]!));
  try {
    await waitFor("the room job to fail", async () => (await producer.queue("rooms").getJobState(roomJob)) === "failed", { timeoutMs: 15_000 });
    await waitFor("/readyz to answer 200", async () => (await get("/readyz")).status === 200, { timeoutMs: 15_000 });
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await Promise.all(connections.map((c) => c.quit()));
  }
  const retry = await fetch(`${base}/admin/queues/api/queues/rooms/${roomJob}/retry`, { method: "PUT", headers: { ...admin, origin: base } });
  bodies.push(await retry.text());
  expect(retry.status).toBeGreaterThanOrEqual(200);
  expect(retry.status).toBeLessThan(300);
  expect(await producer.queue("rooms").getJobState(roomJob)).toBe("waiting");
  expect(await producer.queue("rooms").getFailedCount()).toBe(0);

  dashboard!.child.kill("SIGTERM");
  expect(await dashboard!.exited).toBe(0);
  for (const body of bodies) expect(body).not.toMatch(/CROSSSLOT/);
  expect(dashboard!.output()).not.toMatch(/CROSSSLOT/);
}, 60_000);
