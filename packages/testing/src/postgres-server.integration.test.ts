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
      // Fresh clients after each stop: what a pool does with connections a stop cut is not this
      // helper's test (the pool's connection cut by the fast stop failed this insert once).
      const fresh = async <T>(use: (sql: postgres.Sql) => Promise<T>): Promise<T> => {
        const sql = postgres(server.url(db.name), { max: 1, onnotice: () => {} });
        try {
          return await use(sql);
        } finally {
          await sql.end();
        }
      };
      await fresh((sql) => sql`INSERT INTO t VALUES (2)`);
      await server.stop("immediate");
      await server.start();
      const rows = await fresh((sql) => sql<Array<{ v: number }>>`SELECT v FROM t ORDER BY v`);
      expect(rows.map((r) => r.v)).toEqual([1, 2]);
    } finally {
      await db.drop().catch(() => db.close());
    }
  });
});
