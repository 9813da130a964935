import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { Redis } from "ioredis";
import { ensureLocalServices, isListening } from "./local-services";
import { freePort } from "./redis";
import { testEnv } from "./env";

describe("ensureLocalServices", () => {
  it("uses the PostgreSQL and Redis that answer, starting nothing", async () => {
    const services = await ensureLocalServices({ postgresUrl: testEnv.adminDatabaseUrl, redisUrl: testEnv.redisUrl, scratchDir: tmpdir() });
    expect(services.started).toEqual([]);
    expect(services.postgresUrl).toBe(testEnv.adminDatabaseUrl);
    await services.stop();
  });

  it("starts private instances from the installed binaries when nothing answers, on ports of their own", async () => {
    const scratch = mkdtempSync(join(tmpdir(), "callastar-services-"));
    const [deadPg, deadRedis, pgPort, redisPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const services = await ensureLocalServices({
      postgresUrl: `postgres://postgres@127.0.0.1:${deadPg}/postgres`,
      redisUrl: `redis://127.0.0.1:${deadRedis}`,
      scratchDir: scratch,
      privatePorts: { postgres: pgPort, redis: redisPort },
    });
    try {
      expect(services.started).toHaveLength(2);
      expect(services.postgresUrl).toBe(`postgres://postgres@127.0.0.1:${pgPort}/postgres`);
      const sql = postgres(services.postgresUrl, { max: 1 });
      expect((await sql`SELECT 1 AS ok`)[0]).toEqual({ ok: 1 });
      await sql.end();
      const redis = new Redis(services.redisUrl);
      expect(await redis.ping()).toBe("PONG");
      redis.disconnect();
    } finally {
      await services.stop();
      rmSync(scratch, { recursive: true, force: true });
    }
    expect(await isListening("127.0.0.1", pgPort)).toBe(false);
    expect(await isListening("127.0.0.1", redisPort)).toBe(false);
  }, 90_000);
});
