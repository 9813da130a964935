// Tracing benchmark (`pnpm bench:tracing`): what tracing costs a worker. One email-worker process
// (NODE_ENV=production, default concurrency, the provider's rate limit off so the worker is the
// bottleneck) sends BENCH_EMAILS ad-hoc emails queued before it starts, to the Resend stand-in;
// without OTEL_* (the baseline) and with OTEL_EXPORTER_OTLP_ENDPOINT set (a process span, one HTTP
// span and two SQL spans per email, batched to an OTLP sink). Modes alternate, BENCH_ROUNDS rounds;
// medians of the worker's CPU per email (from /proc) and of emails/s, and their ratios.
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import { Producer } from "@callastar/producer";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { obliteratePrefix, spawnApp } from "@callastar/testing";
import { emailWorkerProcessEnv } from "../../apps/email-worker/src/test-env";
import { freshDatabase } from "./lib/bench-database";
import { median, table } from "./lib/figures";
import { tracingBenchEnv as env } from "./lib/tracing-env";

type Mode = "off" | "on";
const say = (line: string) => console.log(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of a process, µs (USER_HZ 100). */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function run(mode: Mode, url: string, resend: ResendStandin, sinkUrl: string, round: number): Promise<{ cpuUsPerEmail: number; perSecond: number }> {
  const prefix = `bench-trace-${mode}-${round}-${Date.now().toString(36)}`;
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const producer = new Producer({ connection: redis, prefix });
  resend.reset();
  try {
    await redis.ping(); // ready before the burst of enqueues (each would otherwise wait for "ready")
    for (let i = 0; i < env.emails; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, env.emails - i) }, (_, k) =>
          producer.enqueueEmail({
            template: "payment_received",
            props: { recipientName: `Fan ${i + k}`, amount: 1000 + k, currency: "EUR" },
            to: `fan${i + k}@bench.test`,
            idempotencyKey: `payment_received:${prefix}:${i + k}`,
          }),
        ),
      );
    }
    const worker = spawnApp("email-worker", {
      ...emailWorkerProcessEnv({ databaseUrl: url, redisUrl: env.redisUrl, prefix, resend }),
      NODE_ENV: "production",
      ...(mode === "on" ? { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl } : {}),
    });
    try {
      await worker.waitForOutput("consuming", 120_000);
      const pid = worker.child.pid!;
      const cpu0 = cpuMicros(pid);
      const t0 = performance.now();
      while (resend.deliveries.length < env.emails) {
        if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
        await sleep(20);
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = cpuMicros(pid) - cpu0;
      return { cpuUsPerEmail: cpu / env.emails, perSecond: env.emails / seconds };
    } finally {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
  } finally {
    await producer.close();
    redis.disconnect();
    await obliteratePrefix(prefix);
  }
}

async function main(): Promise<void> {
  const url = await freshDatabase(env.adminDatabaseUrl, "callastar_bench_tracing");
  const resend = await startResendStandin({ rateLimitPerSecond: 0 });
  let exported = 0;
  const sink = createServer((req, res) => {
    req.on("data", (chunk: Buffer) => (exported += chunk.length));
    req.on("end", () => res.writeHead(200, { "content-type": "application/x-protobuf" }).end());
  });
  await new Promise<void>((r) => sink.listen(0, "127.0.0.1", r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  say(`tracing: ${env.emails} ad-hoc emails per run, one email-worker process, ${env.rounds} rounds`);
  const results: Record<Mode, Array<{ cpuUsPerEmail: number; perSecond: number }>> = { off: [], on: [] };
  try {
    for (let round = 1; round <= env.rounds; round++) {
      const order: Mode[] = round % 2 ? ["off", "on"] : ["on", "off"];
      for (const mode of order) {
        const r = await run(mode, url, resend, sinkUrl, round);
        results[mode].push(r);
        say(`  round ${round} ${mode.padEnd(3)}: ${(r.cpuUsPerEmail / 1000).toFixed(3)} ms CPU/email, ${r.perSecond.toFixed(0)} emails/s`);
      }
    }
  } finally {
    await resend.close();
    await new Promise((r) => sink.close(r));
  }
  const cpu = (m: Mode) => median(results[m].map((r) => r.cpuUsPerEmail)) / 1000;
  const rate = (m: Mode) => median(results[m].map((r) => r.perSecond));
  say(
    "\n" +
      table([
        ["tracing", "worker CPU/email (median)", "emails/s (median)"],
        ["off (baseline)", `${cpu("off").toFixed(3)} ms`, rate("off").toFixed(0)],
        ["on (OTLP)", `${cpu("on").toFixed(3)} ms`, rate("on").toFixed(0)],
      ]),
  );
  say(`ratio on/off: CPU per email ×${(cpu("on") / cpu("off")).toFixed(2)}, emails/s ×${(rate("on") / rate("off")).toFixed(2)}; ${(exported / 1024).toFixed(0)} KiB of OTLP exported`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
