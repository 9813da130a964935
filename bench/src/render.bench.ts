// Email rendering benchmark (`NODE_ENV=production pnpm bench:render`):
// ms of wall and CPU time per booking_reminder_client email, 1,000 warm renders, through the
// uncached path (a fresh React render + html-to-text each time) and the cached one (the default).
// Each email gets distinct names so the cache is hit by shape, never by identical values.
// Then the production peak: Resend's 2 requests/s × 100 emails per batch = one batch of 100 renders
// every 500 ms; cached and uncached batches alternate, and each batch's CPU is compared to its slot.
import { setTimeout as sleepUntilSlot } from "node:timers/promises";
import type { EmailPayload } from "@callastar/emails";
import { renderEmail } from "@callastar/emails/render";
import { median } from "./lib/figures";
import { renderBenchEnv } from "./lib/render-env";

const RENDERS = renderBenchEnv.renders;
const WARMUP = 200;

function payload(i: number): EmailPayload {
  return {
    template: "booking_reminder_client",
    props: {
      recipientName: `Fan ${i} O'Brien`,
      creatorName: `Creator ${i % 97} & Co`,
      callTitle: i % 2 === 0 ? `Q&A session #${i}` : undefined,
      callDateTime: new Date(Date.UTC(2025, 0, 15, 14, 30) + i * 60_000).toISOString(),
      timeZone: ["Europe/Paris", "America/New_York", "Asia/Tokyo"][i % 3]!,
      bookingUrl: `https://callastar.com/bookings/clx${i}`,
    },
  };
}

type Options = { cache?: boolean };
// Typed loosely so the script also runs against a renderEmail that takes no options (the "before").
const render = renderEmail;

async function measure(label: string, options: Options): Promise<void> {
  for (let i = 0; i < WARMUP; i++) await render(payload(i), options);
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < RENDERS; i++) await render(payload(WARMUP + i), options);
  const wallMs = (performance.now() - start) / RENDERS;
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1_000 / RENDERS;
  console.log(`${label.padEnd(9)} ${wallMs.toFixed(3)} ms/email wall, ${cpuMs.toFixed(3)} ms/email CPU (${RENDERS} renders)`);
}

const BATCH = 100;
const SLOT_MS = 500;

/** One batch of 100 renders per 500 ms slot, as the batch sender needs them at Resend's limits. */
async function peak(): Promise<void> {
  const cpuMs: Record<"cached" | "uncached", number[]> = { cached: [], uncached: [] };
  const wallMs: Record<"cached" | "uncached", number[]> = { cached: [], uncached: [] };
  let next = 10_000;
  for (let b = 0; b < 2 * renderBenchEnv.peakBatches; b++) {
    const variant = b % 2 === 0 ? "uncached" : "cached";
    const slotStart = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: BATCH }, () => render(payload(next++), variant === "cached" ? {} : { cache: false })));
    const used = process.cpuUsage(cpu);
    cpuMs[variant].push((used.user + used.system) / 1_000);
    wallMs[variant].push(performance.now() - slotStart);
    // Wait out the rest of the slot, as the sender waits for Resend's rate; a late batch starts at once.
    await sleepUntilSlot(Math.max(0, SLOT_MS - (performance.now() - slotStart)));
  }
  const un = median(cpuMs.uncached);
  const ca = median(cpuMs.cached);
  const share = (ms: number) => `${((100 * ms) / SLOT_MS).toFixed(0)} % of a core`;
  const wall = (v: "cached" | "uncached") =>
    `wall median ${median(wallMs[v]).toFixed(0)} ms, max ${Math.max(...wallMs[v]).toFixed(0)} ms, ${wallMs[v].filter((ms) => ms > SLOT_MS).length} batches over the slot`;
  console.log(`peak (${BATCH} renders per ${SLOT_MS} ms slot, ${renderBenchEnv.peakBatches} batches each, alternating), per batch:`);
  console.log(`  uncached: CPU median ${un.toFixed(0)} ms (${share(un)}, baseline); ${wall("uncached")}`);
  console.log(`  cached:   CPU median ${ca.toFixed(0)} ms (${share(ca)}); ${wall("cached")}; CPU cached/uncached ${(ca / un).toFixed(2)}×`);
}

async function main(): Promise<void> {
  console.log(`booking_reminder_client, NODE_ENV=${renderBenchEnv.nodeEnv ?? "(unset)"}, node ${process.version}`);
  await measure("uncached", { cache: false });
  await measure("cached", {});
  await peak();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
