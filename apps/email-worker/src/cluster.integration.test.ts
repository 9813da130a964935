import { Redis } from "ioredis";
import type { RedisClusterTarget } from "@callastar/producer";
import { startRedisCluster, waitFor } from "@callastar/testing";
import { adhocEmail, deliveriesPerRecipient, scheduleReminders, seedDueBookings } from "./topology-run";
import { useWorkerProcesses } from "./worker-processes";

// The email path on a real three-master Cluster: the worker process and the producer on
// REDIS_CLUSTER_NODES, a burst of reminders and ad-hoc emails delivered once, each queue's keys in
// its own slot (so the queues sit on different masters), and no CROSSSLOT anywhere.
const BOOKINGS = 20;
const EMAILS = 30;
const w = useWorkerProcesses("cluster", {
  topology: async () => {
    const cluster = await startRedisCluster(3);
    const connection: RedisClusterTarget = { kind: "cluster", nodes: cluster.nodes, tls: false };
    return { cluster, connection, workerEnv: { REDIS_CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(",") }, stop: () => cluster.stop() };
  },
});

it("delivers a burst of reminders and ad-hoc emails once, with the queues' keys on several masters", async () => {
  const { t, resend, producer, prefix, topology: { cluster } } = w;
  const worker = w.spawn();
  await worker.waitForOutput("consuming", 120_000);

  const bookings = await seedDueBookings(t, BOOKINGS);
  const keys = Array.from({ length: EMAILS }, (_, i) => `payment_received:pi_cluster_${i}`);
  await Promise.all([scheduleReminders(producer, bookings), ...keys.map((k) => producer.enqueueEmail(adhocEmail(k)))]);

  const expected = EMAILS + 2 * BOOKINGS; // a reminder is two emails (client, creator)
  await waitFor("every email delivered", () => resend.deliveries.length >= expected, { timeoutMs: 60_000 });
  await waitFor("queues drained", async () => {
    const counts = await Promise.all((["emails", "reminders"] as const).map((q) => producer.queue(q).getJobCounts("waiting", "active", "delayed")));
    return counts.every((c) => Object.values(c).every((n) => n === 0));
  });
  const perTo = deliveriesPerRecipient(resend);
  expect(perTo.size).toBe(expected);
  expect([...perTo.values()].every((n) => n === 1)).toBe(true);
  for (const k of keys) expect(perTo.get(adhocEmail(k).to)).toBe(1);

  // Each queue's keys live on one master; the two queues used here on two different ones.
  const mastersOf = async (queue: string) => {
    const holders: number[] = [];
    for (const node of cluster.nodes) {
      const redis = new Redis(node.port, node.host);
      const found = await redis.keys(`${prefix}:{${queue}}:*`);
      redis.disconnect();
      if (found.length) holders.push(node.port);
    }
    return holders;
  };
  const [emails, reminders] = await Promise.all([mastersOf("emails"), mastersOf("reminders")]);
  expect(emails).toHaveLength(1);
  expect(reminders).toHaveLength(1);
  expect(emails[0]).not.toBe(reminders[0]);
  expect(worker.output()).not.toMatch(/CROSSSLOT/);
  worker.child.kill("SIGTERM");
  expect(await worker.exited).toBe(0);
}, 180_000);
