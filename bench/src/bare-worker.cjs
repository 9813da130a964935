// The baseline of `pnpm bench:memory`: a bare BullMQ worker (one queue, a no-op processor, its own
// ioredis connection) as plain CommonJS, started with the same node flags as the apps' bundles.
const { Worker } = require("bullmq");
const { Redis } = require("ioredis");

const connection = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: null });
const worker = new Worker("bare", async () => undefined, { connection, prefix: process.env.QUEUE_PREFIX ?? "bull" });
worker.on("error", (error) => console.error(`bare worker: ${error.message}`));
worker.waitUntilReady().then(() => console.log("bare worker ready"));
process.once("SIGTERM", () => {
  worker.close().finally(() => connection.quit().finally(() => process.exit(0)));
});
