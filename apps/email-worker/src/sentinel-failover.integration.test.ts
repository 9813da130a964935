import { setInterval as everyMs } from "node:timers/promises";
import type { RedisSentinelTarget } from "@callastar/producer";
import { startSentinelSet, waitFor } from "@callastar/testing";
import { adhocEmail, deliveriesPerRecipient, scheduleReminders, seedDueBookings } from "./topology-run";
import { useWorkerProcesses } from "./worker-processes";

// A primary, two replicas and three sentinels; the email worker process and the producer on
// REDIS_SENTINELS. While 200 reminders are being delivered and an ad-hoc email is enqueued every
// 500 ms, the primary is SIGKILLed: the replica is promoted, worker and producer follow it, every
// reminder and every acknowledged ad-hoc email is delivered exactly once. "Acknowledged" means on
// the replica too (the producer's replicaAcks, Redis WAIT): a write the dead primary answered but
// never replicated was not acknowledged, so its caller saw an error and nothing is owed. Two
// replicas, because with WAIT 1 a set must keep one replica after losing its primary to go on
// acknowledging enqueues (with one, the promoted replica has none until the dead node returns).
const BOOKINGS = 200;
const w = useWorkerProcesses("failover", {
  topology: async () => {
    const set = await startSentinelSet({ downAfterMs: 1_000, replicas: 2 });
    const connection: RedisSentinelTarget = { kind: "sentinel", sentinels: set.sentinels, name: set.name, tls: false };
    const workerEnv = { REDIS_SENTINELS: set.sentinels.map((s) => `${s.host}:${s.port}`).join(","), REDIS_SENTINEL_NAME: set.name };
    return { set, connection, workerEnv, stop: () => set.stop() };
  },
  producer: { replicaAcks: { replicas: 1, timeoutMs: 1_000 }, log: { error: () => undefined, warn: () => undefined, info: () => undefined, child() { return this; } } },
});

it("follows a failover mid-run: every reminder and every acknowledged ad-hoc email delivered once, resumed within 30 s", async () => {
  const { t, resend, producer, topology: { set } } = w;
  const worker = w.spawn({
    // 400 reminder emails in batches of 10 at 5 requests/s: ~8 s of sending, for the kill to land in.
    EMAIL_BATCH_SIZE: "10",
    EMAIL_RATE_LIMIT_PER_SECOND: "5",
  });
  await worker.waitForOutput("consuming", 120_000);
  const bookings = await seedDueBookings(t, BOOKINGS);
  await scheduleReminders(producer, bookings);

  const acked: string[] = [];
  let refused = 0;
  let enqueuing = true;
  // The main app's steady trickle of ad-hoc emails, two a second, through the failover.
  const adhoc = (async () => {
    let i = 0;
    for await (const _tick of everyMs(500)) {
      if (!enqueuing) break;
      const email = adhocEmail(`payment_received:pi_failover_${i++}`);
      await producer.enqueueEmail(email).then(() => acked.push(email.to), () => (refused += 1));
    }
  })();

  const run = async () => {
    await waitFor("reminders being delivered", () => resend.deliveries.length >= 60, { timeoutMs: 30_000, intervalMs: 10 });
    const oldPort = set.servers[0]!.port;
    set.servers[0]!.process.kill("SIGKILL");
    const killedAt = Date.now();
    await waitFor("the replica promoted", async () => (await set.primaryPort()) !== oldPort, { timeoutMs: 30_000, intervalMs: 50 });
    const promotedAt = Date.now();
    const ackedBefore = acked.length;
    const deliveredAfter = (filter: (to: string) => boolean) => resend.deliveries.find((d) => Date.parse(d.receivedAt) >= promotedAt && d.to.some(filter));
    const first = await waitFor("a delivery after the promotion", () => deliveredAfter(() => true), { timeoutMs: 30_000, intervalMs: 10 });
    const firstAdhoc = await waitFor(
      "an ad-hoc email enqueued after the promotion delivered",
      () => (acked.length > ackedBefore ? deliveredAfter((to) => acked.indexOf(to) >= ackedBefore) : undefined),
      { timeoutMs: 30_000, intervalMs: 10 },
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; acknowledged ${acked.length} (${ackedBefore} before the promotion), refused ${refused}`);
    });
    return { killedAt, promotedAt, first, firstAdhoc };
  };
  const { killedAt, promotedAt, first, firstAdhoc } = await run().finally(async () => {
    enqueuing = false;
    await adhoc;
  });

  const resumeMs = Date.parse(first.receivedAt) - promotedAt;
  const adhocResumeMs = Date.parse(firstAdhoc.receivedAt) - promotedAt;
  console.log(`failover: kill→promotion ${promotedAt - killedAt} ms, promotion→first delivery ${resumeMs} ms, promotion→first new ad-hoc delivery ${adhocResumeMs} ms; ad-hoc acknowledged ${acked.length}, refused ${refused}`);
  expect(resumeMs).toBeLessThan(30_000);
  expect(adhocResumeMs).toBeLessThan(30_000);

  const reminderRecipients = await t.sql<Array<{ email: string }>>`
    SELECT u.email FROM "Booking" b JOIN "User" u ON u.id = b."userId" WHERE b.id = ANY(${bookings})
    UNION ALL
    SELECT u.email FROM "Booking" b JOIN "CallOffer" o ON o.id = b."callOfferId" JOIN "Creator" c ON c.id = o."creatorId" JOIN "User" u ON u.id = c."userId" WHERE b.id = ANY(${bookings})`;
  const expected = [...reminderRecipients.map((r) => r.email), ...acked];
  await waitFor("every reminder and acknowledged ad-hoc email delivered", () => expected.every((to) => deliveriesPerRecipient(resend).has(to)), { timeoutMs: 30_000 });
  const perTo = deliveriesPerRecipient(resend);
  expect(expected.filter((to) => perTo.get(to) !== 1)).toEqual([]);
  expect([...perTo.values()].filter((n) => n !== 1)).toEqual([]);
  worker.child.kill("SIGTERM");
  expect(await worker.exited).toBe(0);
}, 180_000);
