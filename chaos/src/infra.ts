// What a chaos run stands on: its own PostgreSQL database (reached by the apps through a TCP proxy
// the harness can cut), its own redis-server with AOF fsync'd on every write (so a SIGKILL loses
// nothing and it restarts on the same port with its data), and the three provider stand-ins in
// this process, where their records can be read directly.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, type DbHandle } from "@callastar/db";
import { startDailyStandin, startResendStandin, startStripeStandin, type DailyStandin, type ResendStandin, type StripeStandin } from "@callastar/standins";
import { dropDatabase, prepareDatabase, startRedisServer, startTcpProxy, withDatabase, type RedisServer, type TcpProxy } from "@callastar/testing";

const REDIS_ARGS = ["--appendonly", "yes", "--appendfsync", "always", "--save", "", "--maxmemory-policy", "noeviction"];

/** The providers' rates during the run, shared by the stand-ins and the workers' limiters. */
export const PROVIDER_RATES = { resendPerSecond: 10, dailyDeletesPerSecond: 5 };

export interface Infra {
  workDir: string;
  logDir: string;
  spoolDir: string;
  databaseName: string;
  /** Direct URL, for the harness (seeding, verification): never cut. */
  databaseUrl: string;
  /** Through the proxy, for the apps. */
  appDatabaseUrl: string;
  db: DbHandle;
  proxy: TcpProxy;
  redis: RedisServer;
  resend: ResendStandin;
  daily: DailyStandin;
  stripe: StripeStandin;
  /** SIGKILLs redis-server (or SHUTDOWN NOSAVE) and starts it again on the same port and AOF. */
  restartRedis(): Promise<void>;
  close(options: { dropDatabase: boolean; removeFiles: boolean }): Promise<void>;
}

/** Starts everything a run needs but the app processes. */
export async function startInfra(options: { adminDatabaseUrl: string; seed: number }): Promise<Infra> {
  const workDir = mkdtempSync(join(tmpdir(), "callastar-chaos-"));
  const logDir = join(workDir, "logs");
  const spoolDir = join(workDir, "spool");
  mkdirSync(logDir);
  mkdirSync(spoolDir);
  mkdirSync(join(workDir, "redis"));
  const databaseName = `callastar_chaos_${Date.now().toString(36)}`;
  const databaseUrl = await prepareDatabase(options.adminDatabaseUrl, databaseName, { fresh: true });
  const pg = new URL(options.adminDatabaseUrl);
  const proxy = await startTcpProxy(Number(pg.port || 5432), pg.hostname);
  const proxied = new URL(withDatabase(options.adminDatabaseUrl, databaseName));
  proxied.hostname = "127.0.0.1";
  proxied.port = String(proxy.port);
  let redis = await startRedisServer(REDIS_ARGS, { dir: join(workDir, "redis") });
  const [resend, daily, stripe] = await Promise.all([
    startResendStandin({ rateLimitPerSecond: PROVIDER_RATES.resendPerSecond, seed: options.seed }),
    startDailyStandin({ deleteRatePerSecond: PROVIDER_RATES.dailyDeletesPerSecond, faults: { seed: options.seed } }),
    startStripeStandin({ faults: { seed: options.seed } }),
  ]);
  const db = createDb(databaseUrl, { max: 4, applicationName: "callastar-chaos" });
  const infra: Infra = {
    workDir,
    logDir,
    spoolDir,
    databaseName,
    databaseUrl,
    appDatabaseUrl: proxied.toString(),
    db,
    proxy,
    get redis() {
      return redis;
    },
    resend,
    daily,
    stripe,
    async restartRedis() {
      const { port, dir } = redis;
      await redis.stop("SIGKILL");
      redis = await startRedisServer(REDIS_ARGS, { port, dir });
    },
    async close({ dropDatabase: drop, removeFiles }) {
      await db.close();
      await Promise.all([resend.close(), daily.close(), stripe.close(), proxy.close(), redis.stop("SIGTERM")]);
      if (drop) await dropDatabase(options.adminDatabaseUrl, databaseName);
      if (removeFiles) rmSync(workDir, { recursive: true, force: true });
    },
  };
  return infra;
}
