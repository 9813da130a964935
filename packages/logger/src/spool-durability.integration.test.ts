// The spool's guarantee, on real processes: a caller released during a PostgreSQL outage has its
// row in the fsync'd spool, so a SIGKILL loses nothing; any later process replays it once, even
// one that is PID 1 on the same hostname again; a live owner's file is never taken from it.
import { copyFile, mkdtemp, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createDb, type DbHandle } from "@callastar/db";
import { createTestDatabase, spawnScript, startTcpProxy, waitFor, type AppProcess, type TcpProxy, type TestDatabase } from "@callastar/testing";
import { auditRows, createAuditLogger } from "./index";

const LEASE_MS = 1500;
let t: TestDatabase;
let proxy: TcpProxy;
let viaProxyUrl: string;
let viaProxy: DbHandle;
let spoolDir: string;
const children: AppProcess[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  proxy = await startTcpProxy(5432);
  const url = new URL(t.url);
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
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.child.kill("SIGKILL");
    await child.exited;
  }
  await rm(spoolDir, { recursive: true, force: true });
});

const countRows = async () => Number((await t.sql`SELECT count(*)::int AS n FROM "Log"`)[0]!.n);
const distinctItems = async () => Number((await t.sql`SELECT count(DISTINCT context->>'itemsProcessed')::int AS n FROM "Log"`)[0]!.n);
const spoolFiles = async () => (await readdir(spoolDir).catch(() => [] as string[])).sort();

/** A child process logging `count` rows through the cut proxy; it prints "released <count>" when its callers are. */
function startChild(count: number): AppProcess {
  const config = { url: viaProxyUrl, spoolDir, count, leaseMs: LEASE_MS, ackTimeoutMs: 200 };
  const child = spawnScript(resolve(__dirname, "testing/outage-child.ts"), [JSON.stringify(config)]);
  children.push(child);
  return child;
}

describe("spool durability across processes", () => {
  it("a process SIGKILLed after its callers were released during an outage loses no row: another process replays each once", async () => {
    const n = 300;
    proxy.cut();
    const child = startChild(n);
    await child.waitForOutput(`released ${n}`);
    expect(await countRows()).toBe(0);
    child.child.kill("SIGKILL");
    expect(await child.exited).toBe("SIGKILL");
    proxy.restore();

    // This jest worker is the next process: another PID, a fresh owner token.
    const next = createAuditLogger({ db: t, spoolDir, spoolLeaseMs: LEASE_MS, onError: () => {} });
    try {
      await waitFor("the dead child's rows replayed and its file retired", async () => (await spoolFiles()).length === 0 && (await countRows()) === n, {
        timeoutMs: 20_000,
      });
      expect(await countRows()).toBe(n);
      expect(await distinctItems()).toBe(n);
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
      expect(await countRows()).toBe(40);
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
      expect(await countRows()).toBe(0);

      proxy.restore();
      await waitFor("the owner wrote its rows from memory and deleted its file", async () => (await countRows()) === n && (await spoolFiles()).length === 0, {
        timeoutMs: 20_000,
      });
      expect(await distinctItems()).toBe(n);
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
      expect(await countRows()).toBe(n);

      proxy.restore();
      expect(await logger.flush(15_000)).toBe(true);
      await waitFor("the spool file retired without a replay", async () => (await spoolFiles()).length === 0);
      expect(await countRows()).toBe(n);
      expect(await distinctItems()).toBe(n);
      expect(logger.metrics()).toMatchObject({ written: n, replayed: 0, dropped: 0, rejected: 0 });
    } finally {
      await logger.close();
    }
  });
});
