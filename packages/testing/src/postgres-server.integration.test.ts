import postgres from "postgres";
import { createTestDatabase } from "./database";
import { startPostgresServer, type PostgresServer } from "./postgres-server";

describe("startPostgresServer (a private server a test may stop)", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer();
  });
  afterAll(() => server.destroy());

  it("keeps committed data across a fast stop and a crash (immediate), and refuses connections while down", async () => {
    const db = await createTestDatabase(server.url());
    try {
      await db.sql`CREATE TABLE t (v int)`;
      await db.sql`INSERT INTO t VALUES (1)`;
      await server.stop("fast");
      const probe = postgres(server.url(db.name), { max: 1, connect_timeout: 2, onnotice: () => {} });
      await expect(probe`SELECT 1`).rejects.toThrow(/ECONNREFUSED|connect/);
      await probe.end({ timeout: 1 });
      await server.start();
      await db.sql`INSERT INTO t VALUES (2)`;
      await server.stop("immediate");
      await server.start();
      // A fresh client: what the pool does with connections the crash cut is not this helper's test.
      const after = postgres(server.url(db.name), { max: 1, onnotice: () => {} });
      const rows = await after<Array<{ v: number }>>`SELECT v FROM t ORDER BY v`;
      await after.end();
      expect(rows.map((r) => r.v)).toEqual([1, 2]);
    } finally {
      await db.drop().catch(() => db.close());
    }
  });
});
