// Email rendering benchmark (`cd bench && NODE_ENV=production pnpm exec tsx src/render.bench.ts`):
// ms of wall and CPU time per booking_reminder_client email, 1,000 warm renders, through the
// uncached path (a fresh React render + html-to-text each time) and the cached one (the default).
// Each email gets distinct names so the cache is hit by shape, never by identical values.
import type { EmailPayload } from "@callastar/emails";
import { renderEmail } from "@callastar/emails/render";
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

async function main(): Promise<void> {
  console.log(`booking_reminder_client, NODE_ENV=${renderBenchEnv.nodeEnv ?? "(unset)"}, node ${process.version}`);
  await measure("uncached", { cache: false });
  await measure("cached", {});
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
