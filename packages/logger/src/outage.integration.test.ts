import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type DbHandle } from "@callastar/db";
import { createTestDatabase, startTcpProxy, waitFor, type TcpProxy, type TestDatabase } from "@callastar/testing";
import { createAuditLogger, type AuditLoggerError } from "./index";

let t: TestDatabase;
let proxy: TcpProxy;
let viaProxy: DbHandle;
let spoolDir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  proxy = await startTcpProxy(5432);
  const url = new URL(t.url);
  url.port = String(proxy.port);
  viaProxy = createDb(url.toString(), { max: 3, connectTimeout: 2 });
});
afterAll(async () => {
  await viaProxy.close(1);
  await proxy.close();
  await t.drop();
});
beforeEach(async () => {
  proxy.restore();
  await t.sql`TRUNCATE "Log"`;
  spoolDir = await mkdtemp(join(tmpdir(), "audit-spool-"));
});
afterEach(() => rm(spoolDir, { recursive: true, force: true }));

const countRows = async () => Number((await t.sql`SELECT count(*)::int AS n FROM "Log"`)[0]!.n);

describe("PostgreSQL cut off mid-stream", () => {
  it("calls keep resolving without throwing, and no row is lost once the network is back", async () => {
    const errors: AuditLoggerError[] = [];
    const logger = createAuditLogger({ db: viaProxy, ackTimeoutMs: 300, backoffMaxMs: 200, onError: (e) => errors.push(e) });
    try {
      let written = 0;
      const burst = async (n: number) => {
        await Promise.all(Array.from({ length: n }, () => logger.logCronRun("outage", written++, 1)));
      };
      await burst(300);
      proxy.cut();
      const started = Date.now();
      for (let i = 0; i < 5; i++) await burst(100); // all resolve within ackTimeoutMs although nothing commits
      expect(Date.now() - started).toBeLessThan(5 * 1500);
      expect(logger.metrics().degraded).toBe(true);
      expect(logger.metrics().pending + logger.metrics().inFlight).toBeGreaterThan(0);
      proxy.restore();
      await burst(200);
      expect(await logger.flush(15_000)).toBe(true);
      expect(await countRows()).toBe(1000);
      const ids = await t.sql`SELECT count(DISTINCT context->>'itemsProcessed')::int AS n FROM "Log"`;
      expect(ids[0]!.n).toBe(1000);
      expect(logger.metrics()).toMatchObject({ written: 1000, dropped: 0, degraded: false });
      expect(logger.metrics().failedFlushes).toBeGreaterThan(0);
      expect(errors.some((e) => e.kind === "unavailable")).toBe(true);
    } finally {
      await logger.close();
    }
  });

  it("close() while cut spools the held rows; the next logger with that spoolDir replays them once", async () => {
    const first = createAuditLogger({ db: viaProxy, spoolDir, ackTimeoutMs: 200, closeTimeoutMs: 500, onError: () => {} });
    await Promise.all(Array.from({ length: 50 }, (_, i) => first.logEmailSent(`b${i}`, "u", "booking_reminder_client")));
    proxy.cut();
    await Promise.all(Array.from({ length: 150 }, (_, i) => first.logEmailSent(`b${50 + i}`, "u", "booking_reminder_client")));
    await first.close();
    expect(first.metrics().spooled).toBe(150);
    const files = (await readdir(spoolDir)).filter((f) => f.endsWith("-ready.jsonl"));
    expect(files).toHaveLength(1);
    const lines = (await readFile(join(spoolDir, files[0]!), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(150);
    expect(await countRows()).toBe(50);

    proxy.restore();
    const second = createAuditLogger({ db: t, spoolDir });
    const third = createAuditLogger({ db: t, spoolDir }); // racing replayer: must not double-replay
    try {
      expect(await second.flush(10_000)).toBe(true);
      expect(await third.flush(10_000)).toBe(true);
      expect(await countRows()).toBe(200);
      expect(second.metrics().replayed + third.metrics().replayed).toBe(150);
      expect(await readdir(spoolDir)).toEqual([]);
      const [d] = await t.sql`SELECT count(DISTINCT context->>'bookingId')::int AS n FROM "Log"`;
      expect(d!.n).toBe(200);
    } finally {
      await second.close();
      await third.close();
    }
  });

  it("memory bound: beyond maxBuffered rows go to the spool, and come back when PostgreSQL does", async () => {
    const errors: AuditLoggerError[] = [];
    const logger = createAuditLogger({ db: viaProxy, spoolDir, maxBuffered: 100, ackTimeoutMs: 100, backoffMaxMs: 100, onError: (e) => errors.push(e) });
    try {
      proxy.cut();
      await Promise.all(Array.from({ length: 400 }, (_, i) => logger.logCronRun("bounded", i, 1)));
      expect(logger.metrics().pending + logger.metrics().inFlight).toBeLessThanOrEqual(100);
      expect(logger.metrics().spooled).toBeGreaterThanOrEqual(300);
      expect(errors.some((e) => e.kind === "buffer-full")).toBe(true);
      proxy.restore();
      await waitFor("spooled rows replayed", async () => (await countRows()) === 400, { timeoutMs: 15_000 });
      expect(logger.metrics().replayed).toBe(logger.metrics().spooled);
    } finally {
      await logger.close();
    }
    expect(await countRows()).toBe(400);
  });

  it("with spoolDir false, overflow is counted and reported loudly, never silent", async () => {
    const errors: AuditLoggerError[] = [];
    const logger = createAuditLogger({ db: viaProxy, spoolDir: false, maxBuffered: 10, ackTimeoutMs: 50, closeTimeoutMs: 200, onError: (e) => errors.push(e) });
    proxy.cut();
    // The 10 held calls have nowhere durable to go: they wait until close() gives them up.
    const calls = Promise.all(Array.from({ length: 30 }, (_, i) => logger.logCronRun("lossy", i, 1)));
    await waitFor("overflow dropped", () => logger.metrics().dropped === 20);
    await logger.close();
    await calls;
    const dropped = errors.filter((e) => e.kind === "rows-dropped").flatMap((e) => e.rows);
    expect(logger.metrics().dropped).toBe(30);
    expect(dropped).toHaveLength(30);
    expect(new Set(dropped.map((r) => r.id)).size).toBe(30);
  });
});
