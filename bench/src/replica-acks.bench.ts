// `pnpm bench:replica-acks`: the cost of an acknowledgement that means "on a replica" (the producer's
// replicaAcks, Redis WAIT 1) against the primary's answer alone, same run, same servers. Starts its
// own primary and replica (a replica is the point), or uses BENCH_REDIS_URL when it has one.
import { Producer } from "@callastar/producer";
import { Redis } from "ioredis";
import { startRedisServer, uniquePrefix, obliteratePrefix, waitFor, type RedisServer } from "@callastar/testing";
import { int, text } from "./lib/env";
import { median, table } from "./lib/figures";

const ENQUEUES = int("BENCH_ENQUEUES", 500);
const ROUNDS = int("BENCH_ROUNDS", 5);

async function servers(): Promise<{ url: string; stop(): Promise<void> }> {
  const given = text("BENCH_REDIS_URL");
  if (given) return { url: given, stop: async () => undefined };
  const primary: RedisServer = await startRedisServer(["--save", "", "--appendonly", "no"]);
  const replica = await startRedisServer(["--save", "", "--appendonly", "no", "--replicaof", "127.0.0.1", String(primary.port)]);
  const probe = new Redis(replica.url);
  await waitFor("replica in sync", async () => (await probe.info("replication")).includes("master_link_status:up"), { timeoutMs: 15_000 });
  probe.disconnect();
  return { url: primary.url, stop: async () => void (await Promise.all([replica.stop(), primary.stop()])) };
}

/** ms per enqueue, one caller enqueueing one email after the other (a web request's pattern). */
async function perEnqueue(url: string, acks: boolean): Promise<number> {
  const prefix = uniquePrefix("bench-acks");
  const producer = new Producer({ connection: url, prefix, ...(acks ? { replicaAcks: { replicas: 1, timeoutMs: 1_000 } } : {}) });
  try {
    const t0 = performance.now();
    for (let i = 0; i < ENQUEUES; i++) {
      await producer.enqueueEmail({ template: "payment_received", props: { recipientName: "Fan", amount: 1000, currency: "EUR" }, to: "fan@example.com", idempotencyKey: `bench-${prefix}-${i}` });
    }
    return (performance.now() - t0) / ENQUEUES;
  } finally {
    await producer.close();
    await obliteratePrefix(prefix, url);
  }
}

async function main(): Promise<void> {
  const s = await servers();
  try {
    const base: number[] = [];
    const acked: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      base.push(await perEnqueue(s.url, false));
      acked.push(await perEnqueue(s.url, true));
    }
    const b = median(base);
    const a = median(acked);
    console.log(table([
      ["enqueue", `ms each (median of ${ROUNDS} × ${ENQUEUES})`, "min", "max"],
      ["primary's answer (baseline)", b.toFixed(3), Math.min(...base).toFixed(3), Math.max(...base).toFixed(3)],
      ["replicaAcks 1 (WAIT 1)", a.toFixed(3), Math.min(...acked).toFixed(3), Math.max(...acked).toFixed(3)],
    ]));
    console.log(`replica-acks: ${a.toFixed(3)} ms vs ${b.toFixed(3)} ms per enqueue; ratio ${(a / b).toFixed(2)}×`);
  } finally {
    await s.stop();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
