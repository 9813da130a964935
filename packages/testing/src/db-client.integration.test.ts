import { createDb, RECONNECT_DELAY_MAX_SECONDS, reconnectDelaySeconds } from "@callastar/db";
import { createTestDatabase, type TestDatabase } from "./database";

// Every pool's sessions carry server-side bounds, and a pool that lost its server retries within
// seconds (postgres.js' own curve reaches 20 s after a few failures, and each query waits it out).
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const settings = (h: { sql: TestDatabase["sql"] }) =>
  h.sql<Array<{ statement: string; lock: string; idle: string }>>`
    SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
           current_setting('idle_in_transaction_session_timeout') AS idle`;

it("gives every session statement, lock and idle-in-transaction timeouts, which a caller may raise or lift", async () => {
  const h = createDb(t.url, { max: 1 });
  const raised = createDb(t.url, { max: 1, timeouts: { statementMs: 600_000, lockMs: 0 } });
  try {
    // DEFAULT_TIMEOUTS (60 s, 15 s, 60 s) as PostgreSQL shows them.
    expect((await settings(h))[0]).toEqual({ statement: "1min", lock: "15s", idle: "1min" });
    const [lifted] = await settings(raised);
    expect(lifted).toMatchObject({ statement: "10min", lock: "0" });
    // A statement past its bound is cancelled by the server, not waited for.
    const short = createDb(t.url, { max: 1, timeouts: { statementMs: 200 } });
    await expect(short.sql`SELECT pg_sleep(5)`).rejects.toMatchObject({ code: "57014" });
    await short.close();
  } finally {
    await Promise.all([h.close(), raised.close()]);
  }
});

it("waits at most RECONNECT_DELAY_MAX_SECONDS between reconnect attempts, however many failed", () => {
  const h = createDb(t.url);
  const backoff = (h.sql.options as unknown as { backoff: (n: number) => number }).backoff;
  for (const failures of [1, 2, 5, 8, 20, 1000]) {
    expect(backoff(failures)).toBeLessThanOrEqual(RECONNECT_DELAY_MAX_SECONDS);
    expect(reconnectDelaySeconds(failures, () => 1)).toBeLessThanOrEqual(RECONNECT_DELAY_MAX_SECONDS);
  }
  expect(reconnectDelaySeconds(1, () => 1)).toBeLessThan(0.5);
  return h.close();
});

it("refuses a timeout that is not a whole number of ms, naming it", () => {
  expect(() => createDb(t.url, { timeouts: { lockMs: -1 } })).toThrow("createDb: timeouts.lockMs must be a whole number of ms >= 0 (got -1)");
});
