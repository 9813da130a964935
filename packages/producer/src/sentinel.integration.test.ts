import { Worker } from "bullmq";
import { startSentinelSet, uniquePrefix, waitFor, type SentinelSet } from "@callastar/testing";
import { createWorkerConnection, type RedisConnection, type RedisSentinelTarget } from "@callastar/queues";
import { Producer } from "./producer";

let set: SentinelSet;
let target: RedisSentinelTarget;
beforeAll(async () => {
  set = await startSentinelSet();
  target = { kind: "sentinel", sentinels: set.sentinels, name: set.name, tls: false };
}, 60_000);
afterAll(() => set?.stop());

describe("Redis through Sentinel", () => {
  it("connects producer and worker to the primary the sentinels name, and runs a job", async () => {
    const prefix = uniquePrefix("sentinel");
    const producer = new Producer({ connection: target, prefix });
    const connection: RedisConnection = createWorkerConnection(target);
    const seen: string[] = [];
    const worker = new Worker("emails", async (job) => void seen.push(String(job.id)), { connection, prefix });
    try {
      const id = await producer.enqueueEmail({ template: "payment_received", to: "fan@example.com", idempotencyKey: "sentinel-1", props: { recipientName: "Fan", amount: 1000, currency: "EUR" } });
      await waitFor("job processed", () => seen.includes(id));
      const role = (await connection.call("ROLE")) as unknown[];
      expect(role[0]).toBe("master");
      expect(await set.primaryPort()).toBe(set.servers[0]!.port);
    } finally {
      await worker.close();
      await producer.close();
      connection.disconnect();
    }
  }, 30_000);
});
