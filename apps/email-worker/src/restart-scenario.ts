// The email path across a real PostgreSQL restart (pg_ctl stop -m fast|immediate, then start, on a
// private server), with email-worker processes: due reminders are queued and being sent at 2 req/s
// when the server goes away; the scenario counts what the Resend stand-in delivered against the
// bookings that were due, and times what an operator cares about. Used by pg-restart.integration.test.ts.
import { Redis } from "ioredis";
import { Producer } from "@callastar/producer";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import {
  createTestDatabase,
  obliteratePrefix,
  seedBooking,
  spawnApp,
  testEnv,
  uniquePrefix,
  waitFor,
  type AppProcess,
  type PostgresServer,
  type SeededBooking,
  type TestDatabase,
} from "@callastar/testing";
import { emailWorkerProcessEnv } from "./test-env";

export interface RestartVariant {
  mode: "fast" | "immediate";
  downSeconds: number;
}

export interface RestartFigures extends RestartVariant {
  bookings: number;
  expected: number;
  /** Distinct recipients of this variant's bookings the stand-in accepted an email for. */
  delivered: number;
  /** Emails accepted beyond one per recipient. */
  duplicated: number;
  /** `email-sent:` rows of the bookings' reminders. */
  sentRows: number;
  deliveries: number;
  deliveredBeforeStop: number;
  /** From the server accepting connections again to the next email Resend accepted. */
  returnToFirstDeliveryMs: number;
  /** From the server's return to the last email recorded. */
  returnToAllRecordedMs: number;
  /** A worker sent SIGTERM while the server was down: its exit code (0: within its deadline) and time. */
  sigtermDuringOutage: { code: number | string; ms: number };
  /** Leftovers that would mean "stuck": pending emails, open batches. */
  pendingLeft: number;
  batchesLeft: number;
}

/** A database on the private server, the Resend stand-in at 2 req/s and email-worker processes, kept across variants. */
export interface RestartScenario {
  /** Seeds `bookings` due now, sends their reminders, restarts the server mid-drain, and counts. */
  run(variant: RestartVariant, bookings: number): Promise<RestartFigures>;
  /** SIGTERMs every live worker: exit codes (0: within the deadline) and the slowest time; then cleans up. */
  stop(): Promise<{ codes: Array<number | string>; maxMs: number }>;
}

const LEAD_MS = 15 * 60_000;
const WORKERS = 3;

async function sigterm(p: AppProcess): Promise<{ code: number | string; ms: number }> {
  const started = Date.now();
  p.child.kill("SIGTERM");
  const code = await p.exited;
  return { code, ms: Date.now() - started };
}

const isLive = (p: AppProcess) => p.child.exitCode === null && p.child.signalCode === null;

/** Starts the scenario's database, stand-in and three workers on `server`. */
export async function startRestartScenario(server: PostgresServer): Promise<RestartScenario> {
  const t: TestDatabase = await createTestDatabase(server.url());
  const resend: ResendStandin = await startResendStandin({ rateLimitPerSecond: 2, faults: { slowMs: 250 } });
  const prefix = uniquePrefix("pgrestart");
  const redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
  const producer = new Producer({ connection: redis, prefix });
  const workers: AppProcess[] = [];
  const worker = () => {
    const p = spawnApp("email-worker", {
      ...emailWorkerProcessEnv({ databaseUrl: t.url, redisUrl: testEnv.redisUrl, prefix, resend }),
      EMAIL_RATE_LIMIT_PER_SECOND: "2",
      // Twelve requests at 2/s for 300 bookings: the outage lands while most are still to be sent.
      EMAIL_BATCH_SIZE: "50",
    });
    workers.push(p);
    return p;
  };
  const output = () => workers.map((w, i) => `--- worker ${i} ---\n${w.output().slice(-4000)}`).join("\n");
  const cleanUp = async () => {
    for (const w of workers) if (isLive(w)) w.child.kill("SIGKILL");
    await Promise.all(workers.map((w) => w.exited));
    await producer.close();
    redis.disconnect();
    await obliteratePrefix(prefix);
    await resend.close();
    // The server may be down if a variant failed mid-outage.
    await server.start().catch(() => undefined);
    await t.drop().catch(() => t.close());
  };
  const ready = () => Promise.all(workers.filter(isLive).map((w) => w.waitForOutput("consuming", 120_000)));
  try {
    for (let i = 0; i < WORKERS; i++) worker();
    await ready();
  } catch (error) {
    await cleanUp();
    throw error;
  }

  async function run(variant: RestartVariant, bookingCount: number): Promise<RestartFigures> {
    // Three live copies at the start of each variant (the previous one stopped one during its outage).
    while (workers.filter(isLive).length < WORKERS) worker();
    await ready();
    // This variant's recipients carry its tag (fan-<tag>…@, star-<tag>…@).
    const tag = `${variant.mode}${variant.downSeconds}x${Date.now()}r`;
    const bookings: SeededBooking[] = [];
    for (let i = 0; i < bookingCount; i++) bookings.push(await seedBooking(t, { callDateTime: new Date(Date.now() + LEAD_MS), label: `${tag}${i}` }));
    const ids = bookings.map((b) => b.bookingId);
    const expected = 2 * bookingCount;
    const keys = bookings.flatMap((b) => [`booking_reminder:${b.bookingId}:client`, `booking_reminder:${b.bookingId}:creator`]);
    const mine = () => resend.deliveries.filter((d) => String(d.to).includes(tag));
    for (const b of bookings) await producer.scheduleBookingReminder({ bookingId: b.bookingId, callDateTime: b.callDateTime });

    // Every reminder queued (so no reminder job has to outlive the outage), and a batch request at
    // Resend: the server goes away in the middle of the drain.
    await waitFor("every booking's reminder queued", async () => {
      const [row] = await t.sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM "Booking" WHERE id = ANY(${ids}) AND "reminderSent"`;
      return row!.n === bookingCount;
    }, { timeoutMs: 120_000 });
    await waitFor("a batch request in flight after a delivery", () => mine().length > 0 && resend.inFlight > 0, { timeoutMs: 60_000, intervalMs: 5 });
    await server.stop(variant.mode);
    const deliveredBeforeStop = mine().length;
    if (deliveredBeforeStop >= expected) throw new Error("every email was delivered before the server stopped: the variant proved nothing");

    // Down: one worker is asked to stop during the outage; the others wait it out.
    const downUntil = Date.now() + variant.downSeconds * 1000;
    const sigtermDuringOutage = await sigterm(workers.filter(isLive).at(-1)!);
    await new Promise((r) => setTimeout(r, Math.max(0, downUntil - Date.now())));
    await server.start();
    const returnedAt = Date.now();

    const sentRows = async () => {
      const [row] = await t.sql<Array<{ n: number }>>`SELECT count(*)::int AS n FROM "Log" WHERE id = ANY(${keys.map((k) => `email-sent:${k}`)})`;
      return row!.n;
    };
    try {
      await waitFor("every reminder recorded", async () => (await sentRows()) >= expected, { timeoutMs: 180_000, intervalMs: 200 });
    } catch (error) {
      throw new Error(`${String(error)}: ${mine().length} accepted by the stand-in\n${output()}`);
    }
    const returnToAllRecordedMs = Date.now() - returnedAt;
    const firstAfter = mine().map((d) => Date.parse(d.receivedAt)).filter((at) => at >= returnedAt).sort((a, b) => a - b)[0];
    // Drained to a known point before counting: no batch or pending email left, no request in flight.
    await waitFor("no batch left", async () => (await t.sql`SELECT 1 FROM "EmailBatch"`).length === 0, { timeoutMs: 60_000 });
    await waitFor("no request in flight", () => resend.inFlight === 0);
    const perRecipient = new Map<string, number>();
    for (const d of mine()) perRecipient.set(String(d.to), (perRecipient.get(String(d.to)) ?? 0) + 1);
    const [left] = await t.sql<Array<{ pending: number; batches: number }>>`
      SELECT (SELECT count(*)::int FROM "PendingEmail") AS pending, (SELECT count(*)::int FROM "EmailBatch") AS batches`;
    return {
      ...variant,
      bookings: bookingCount,
      expected,
      delivered: perRecipient.size,
      duplicated: [...perRecipient.values()].reduce((n, c) => n + c - 1, 0),
      sentRows: await sentRows(),
      deliveries: mine().length,
      deliveredBeforeStop,
      returnToFirstDeliveryMs: firstAfter === undefined ? -1 : firstAfter - returnedAt,
      returnToAllRecordedMs,
      sigtermDuringOutage,
      pendingLeft: left!.pending,
      batchesLeft: left!.batches,
    };
  }

  let stopped: Promise<{ codes: Array<number | string>; maxMs: number }> | undefined;
  return {
    run,
    stop: () => (stopped ??= (async () => {
      try {
        const after = await Promise.all(workers.filter(isLive).map(sigterm));
        return { codes: after.map((a) => a.code), maxMs: Math.max(0, ...after.map((a) => a.ms)) };
      } finally {
        await cleanUp();
      }
    })()),
  };
}

/** One line of figures per variant, as the report quotes them. */
export function describeFigures(f: RestartFigures): string {
  return (
    `pg stop -m ${f.mode}, ${f.downSeconds} s down: delivered ${f.delivered}/${f.expected} (duplicated ${f.duplicated}, EMAIL_SENT rows ${f.sentRows}, ` +
    `${f.deliveredBeforeStop} before the stop); first delivery ${f.returnToFirstDeliveryMs} ms after the server's return, all recorded after ${f.returnToAllRecordedMs} ms; ` +
    `SIGTERM during the outage: exit ${f.sigtermDuringOutage.code} in ${f.sigtermDuringOutage.ms} ms`
  );
}
