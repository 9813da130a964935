import { copyFile, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDb, type DbHandle } from "@callastar/db";
import { createTestDatabase, spawnScript, startTcpProxy, testEnv, waitFor, type AppProcess, type TcpProxy, type TestDatabase } from "@callastar/testing";
import { auditRows, createAuditLogger, defaultSpoolDir, type AuditLoggerError } from "./index";

let t: TestDatabase;
let proxy: TcpProxy;
let viaProxyUrl: string;
let viaProxy: DbHandle;
let spoolDir: string;

beforeAll(async () => {
  t = await createTestDatabase();
  // The server the tests use, wherever TEST_DATABASE_URL puts it.
  const server = new URL(testEnv.adminDatabaseUrl);
  proxy = await startTcpProxy(Number(server.port || 5432), server.hostname);
  const url = new URL(t.url);
  url.hostname = "127.0.0.1";
  url.port = String(proxy.port);
  viaProxyUrl = url.toString();
  viaProxy = createDb(viaProxyUrl, { max: 3, connectTimeout: 2 });
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
// Counted by cronType: a row the previous test gave up on may still commit from a pool's queue.
const rowsOf = async (cronType: string) =>
  Number((await t.sql`SELECT count(*)::int AS n FROM "Log" WHERE context->>'cronType' = ${cronType}`)[0]!.n);

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
      await waitFor("spooled rows replayed", async () => (await rowsOf("bounded")) === 400, { timeoutMs: 15_000 });
      expect(logger.metrics().replayed).toBe(logger.metrics().spooled);
    } finally {
      await logger.close();
    }
    expect(await rowsOf("bounded")).toBe(400);
  });

  it("given no spoolDir, a logger spools released callers' rows to its per-database default directory", async () => {
    const dir = defaultSpoolDir(viaProxy);
    await rm(dir, { recursive: true, force: true });
    const logger = createAuditLogger({ db: viaProxy, ackTimeoutMs: 50, backoffMaxMs: 100, onError: () => {} });
    try {
      proxy.cut();
      await Promise.all(Array.from({ length: 20 }, (_, i) => logger.logCronRun("default-dir", i, 1)));
      expect(logger.metrics()).toMatchObject({ spooled: 20, written: 0 });
      expect(await readdir(dir)).toEqual([expect.stringMatching(/-open-/)]);
      proxy.restore();
      expect(await logger.flush(15_000)).toBe(true);
      await waitFor("the default spool file retired", async () => (await readdir(dir)).length === 0);
      expect(await rowsOf("default-dir")).toBe(20);
    } finally {
      await logger.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("with spoolDir false, a caller is not released past ackTimeoutMs: it waits for its commit", async () => {
    const logger = createAuditLogger({ db: viaProxy, spoolDir: false, ackTimeoutMs: 50, backoffMaxMs: 100, onError: () => {} });
    // A clock: a logger with a spool and the same ackTimeoutMs releases its caller once that much time has passed.
    const clock = createAuditLogger({ db: viaProxy, spoolDir, ackTimeoutMs: 50, onError: () => {} });
    try {
      proxy.cut();
      let released = false;
      const call = logger.logCronRun("held", 1, 1).then(() => (released = true));
      await clock.logCronRun("clock", 1, 1);
      expect(clock.metrics().spooled).toBe(1);
      expect(released).toBe(false);
      proxy.restore();
      await call;
      expect(await rowsOf("held")).toBe(1);
    } finally {
      await logger.close();
      await clock.close();
    }
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

const LEASE_MS = 1500;
const children: AppProcess[] = [];
const distinctItems = async (cronType: string) =>
  Number((await t.sql`SELECT count(DISTINCT context->>'itemsProcessed')::int AS n FROM "Log" WHERE context->>'cronType' = ${cronType}`)[0]!.n);
const spoolFiles = async () => (await readdir(spoolDir).catch(() => [] as string[])).sort();

/** A child process logging `count` rows through the cut proxy; it prints "released <count>" when its callers are. */
function startChild(count: number): AppProcess {
  const config = { url: viaProxyUrl, spoolDir, count, leaseMs: LEASE_MS, ackTimeoutMs: 200 };
  const child = spawnScript(resolve(__dirname, "testing/outage-child.ts"), [JSON.stringify(config)]);
  children.push(child);
  return child;
}

// The spool's guarantee, on real processes: a caller released during a PostgreSQL outage has its
// row in the fsync'd spool, so a SIGKILL loses nothing; any later process replays it once, even
// one that is PID 1 on the same hostname again; a live owner's file is never taken from it.
describe("spool durability across processes", () => {
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.child.kill("SIGKILL");
      await child.exited;
    }
  });

  it("a process SIGKILLed after its callers were released during an outage loses no row: another process replays each once", async () => {
    const n = 300;
    proxy.cut();
    const child = startChild(n);
    await child.waitForOutput(`released ${n}`);
    expect(await rowsOf("outage-child")).toBe(0);
    child.child.kill("SIGKILL");
    expect(await child.exited).toBe("SIGKILL");
    proxy.restore();

    // This jest worker is the next process: another PID, a fresh owner token.
    const next = createAuditLogger({ db: t, spoolDir, spoolLeaseMs: LEASE_MS, onError: () => {} });
    try {
      await waitFor("the dead child's rows replayed and its file retired", async () => (await spoolFiles()).length === 0 && (await rowsOf("outage-child")) === n, {
        timeoutMs: 20_000,
      });
      expect(await rowsOf("outage-child")).toBe(n);
      expect(await distinctItems("outage-child")).toBe(n);
      expect(next.metrics().replayed).toBe(n);
    } finally {
      await next.close();
    }
  });

  it("a stale file of a dead owner named with this process's own hostname and PID (a restarted PID 1) is taken over", async () => {
    const rows = Array.from({ length: 40 }, (_, i) => auditRows.logCronRun("restarted", i, 1));
    const lines = (from: number, to: number) => rows.slice(from, to).map((r) => JSON.stringify(r) + "\n").join("");
    const host = hostname().replace(/[^A-Za-z0-9.-]/g, "_") || "host";
    const me = `${host}~${process.pid}`;
    // The previous version's name for a file claimed by "this" host and PID, and the current one's
    // for an open file whose owner stopped refreshing it; both untouched for several leases.
    const legacy = join(spoolDir, `spool~${Date.now().toString(36)}~${me}~abcd1234~claimed~${me}.jsonl`);
    const current = join(spoolDir, `spool-${Date.now().toString(36)}.0badc0de-open-0123456789abcdef.jsonl`);
    await writeFile(legacy, lines(0, 20));
    await writeFile(current, lines(20, 40));
    const longAgo = new Date(Date.now() - 10 * LEASE_MS);
    await utimes(legacy, longAgo, longAgo);
    await utimes(current, longAgo, longAgo);

    const next = createAuditLogger({ db: t, spoolDir, spoolLeaseMs: LEASE_MS, onError: () => {} });
    try {
      expect(await next.flush(10_000)).toBe(true); // waits for the replay pass started at creation
      expect(await rowsOf("restarted")).toBe(40);
      expect(await spoolFiles()).toEqual([]);
      expect(next.metrics().replayed).toBe(40);
    } finally {
      await next.close();
    }
  });

  it("a live owner's file is not taken however long it holds it; the owner commits its rows itself", async () => {
    const n = 100;
    proxy.cut();
    const child = startChild(n);
    await child.waitForOutput(`released ${n}`);
    const files = await spoolFiles();
    expect(files).toEqual([expect.stringMatching(/^spool-.+-open-[0-9a-f]+\.jsonl$/)]);
    const path = join(spoolDir, files[0]!);
    const firstSeen = (await stat(path)).mtimeMs;
    // Two lease periods later the file would be stale, had its owner not kept refreshing it.
    await waitFor("the owner refreshed its lease past two periods", async () => (await stat(path)).mtimeMs > firstSeen + 2 * LEASE_MS, {
      timeoutMs: 20_000,
    });

    const other = createAuditLogger({ db: t, spoolDir, spoolLeaseMs: LEASE_MS, onError: () => {} });
    try {
      expect(await other.flush(10_000)).toBe(true); // its replay pass has looked at the file
      expect(await spoolFiles()).toEqual(files);
      expect(other.metrics().replayed).toBe(0);
      expect(await rowsOf("outage-child")).toBe(0);

      proxy.restore();
      await waitFor("the owner wrote its rows from memory and deleted its file", async () => (await rowsOf("outage-child")) === n && (await spoolFiles()).length === 0, {
        timeoutMs: 20_000,
      });
      expect(await distinctItems("outage-child")).toBe(n);
      expect(other.metrics().replayed).toBe(0);
    } finally {
      await other.close();
    }
  });

  it("rows released during an outage are written once from memory afterwards, even if their spooled copy was replayed meanwhile", async () => {
    const n = 200;
    const logger = createAuditLogger({ db: viaProxy, spoolDir, spoolLeaseMs: LEASE_MS, ackTimeoutMs: 100, backoffMaxMs: 100, onError: () => {} });
    try {
      proxy.cut();
      await Promise.all(Array.from({ length: n }, (_, i) => logger.logCronRun("released", i, 1)));
      expect(logger.metrics()).toMatchObject({ spooled: n, written: 0 });
      const [open] = await spoolFiles();
      expect(open).toMatch(/-open-/);
      // A replayer elsewhere writes the spooled copy while the rows are still held here.
      await copyFile(join(spoolDir, open!), join(spoolDir, `spool-${Date.now().toString(36)}.00000001-ready.jsonl`));
      const replayer = createAuditLogger({ db: t, spoolDir, spoolLeaseMs: LEASE_MS, onError: () => {} });
      expect(await replayer.flush(10_000)).toBe(true);
      await replayer.close();
      expect(await rowsOf("released")).toBe(n);

      proxy.restore();
      expect(await logger.flush(15_000)).toBe(true);
      await waitFor("the spool file retired without a replay", async () => (await spoolFiles()).length === 0);
      expect(await rowsOf("released")).toBe(n);
      expect(await distinctItems("released")).toBe(n);
      expect(logger.metrics()).toMatchObject({ written: n, replayed: 0, dropped: 0, rejected: 0 });
    } finally {
      await logger.close();
    }
  });
});
