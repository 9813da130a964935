// The batch sender across a real PostgreSQL server restart (not a proxy cut): email-worker
// processes sending due reminders at 2 req/s, the server stopped fast or immediate mid-drain, then
// started again → every email delivered exactly once with its EMAIL_SENT row, nothing left stuck,
// and every worker exits 0 (within its deadline) on SIGTERM, during the outage and after it.
//
// CI runs two variants; the full matrix of the issue is one command:
//   EMAIL_RESTART_VARIANTS=fast:10,fast:60,immediate:10,immediate:60 node scripts/jest.mjs apps/email-worker/src/pg-restart.integration.test.ts
// (EMAIL_RESTART_BOOKINGS, default 300, sets the number of bookings due; each prints its figures.)
import { startPostgresServer, type PostgresServer } from "@callastar/testing";
import { describeFigures, startRestartScenario, type RestartScenario, type RestartVariant } from "./restart-scenario";

function variants(spec: string): RestartVariant[] {
  return spec.split(",").map((part) => {
    const [mode, seconds] = part.trim().split(":");
    const downSeconds = Number(seconds);
    if ((mode !== "fast" && mode !== "immediate") || !Number.isFinite(downSeconds) || downSeconds < 0) {
      throw new Error(`EMAIL_RESTART_VARIANTS: "${part}" is not <fast|immediate>:<seconds down>`);
    }
    return { mode, downSeconds };
  });
}

const VARIANTS = variants(process.env.EMAIL_RESTART_VARIANTS ?? "fast:10,immediate:10");
const BOOKINGS = Number(process.env.EMAIL_RESTART_BOOKINGS ?? 300);
if (!Number.isInteger(BOOKINGS) || BOOKINGS < 1) throw new Error(`EMAIL_RESTART_BOOKINGS must be a positive integer (got ${process.env.EMAIL_RESTART_BOOKINGS})`);

let server: PostgresServer;
let scenario: RestartScenario;
beforeAll(async () => {
  server = await startPostgresServer();
  scenario = await startRestartScenario(server);
}, 180_000);
afterAll(async () => {
  await scenario?.stop().catch(() => undefined);
  await server.destroy();
}, 60_000);

it.each(VARIANTS)("pg_ctl stop -m $mode, $downSeconds s down: every reminder delivered once and recorded, the worker stopped during the outage exits 0", async (variant) => {
  const f = await scenario.run(variant, BOOKINGS);
  process.stdout.write(`${describeFigures(f)}\n`);
  expect(f.delivered).toBe(f.expected);
  expect(f.duplicated).toBe(0);
  expect(f.deliveries).toBe(f.expected);
  expect(f.sentRows).toBe(f.expected);
  expect({ pending: f.pendingLeft, batches: f.batchesLeft }).toEqual({ pending: 0, batches: 0 });
  // Exit 0 is the shutdown finishing within SHUTDOWN_TIMEOUT_MS: past it, the process exits 1.
  expect(f.sigtermDuringOutage.code).toBe(0);
}, 600_000);

it("after the restarts, every worker exits 0 on SIGTERM", async () => {
  const after = await scenario.stop();
  process.stdout.write(`SIGTERM after the restarts: exits ${after.codes.join(",")} (slowest ${after.maxMs} ms)\n`);
  expect(after.codes.length).toBeGreaterThan(0);
  expect(after.codes.every((c) => c === 0)).toBe(true);
}, 120_000);
