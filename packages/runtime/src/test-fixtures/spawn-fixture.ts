// The runtime's real-process tests share one way to start the fixture worker and to clean up after it.
import { resolve } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { createTestDatabase, obliteratePrefix, spawnScript, testEnv, uniquePrefix, type AppProcess, type TestDatabase } from "@callastar/testing";

/** Starts crash-worker.ts (the production runtime with the fixture handlers), recorded in `procs`. */
export function spawnFixtureWorker(
  procs: AppProcess[],
  env: { DATABASE_URL: string; REDIS_URL: string; QUEUE_PREFIX: string } & Record<string, string>,
): AppProcess {
  const p = spawnScript(resolve(__dirname, "crash-worker.ts"), [], { NODE_ENV: "test", ...env });
  procs.push(p);
  return p;
}

/** SIGKILLs every recorded process still running (a test's leftovers), and forgets them all. */
export function killLeftovers(procs: AppProcess[]): void {
  for (const p of procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
}

/** The state `useFixtureWorkers` keeps: read it inside hooks and tests, never at module load. */
export interface FixtureWorkers {
  t: TestDatabase;
  /** This test's queue prefix. */
  prefix: string;
  /** A client on the shared Redis, for the fixture's keys. */
  redis: Redis;
  /** The reminders queue under this test's prefix. */
  reminders: Queue;
  /** Starts a fixture worker on this database and prefix (the shared Redis unless `env` names another). */
  spawn(env?: Record<string, string>): AppProcess;
}

/** Jest hooks for a file whose tests run fixture workers: a database for the file; a prefix, a queue and processes per test. */
export function useFixtureWorkers(name: string): FixtureWorkers {
  const procs: AppProcess[] = [];
  const state = {
    spawn: (env: Record<string, string> = {}) => spawnFixtureWorker(procs, { DATABASE_URL: state.t.url, REDIS_URL: testEnv.redisUrl, QUEUE_PREFIX: state.prefix, ...env }),
  } as FixtureWorkers;
  beforeAll(async () => {
    state.t = await createTestDatabase();
  });
  afterAll(() => state.t.drop());
  beforeEach(() => {
    state.prefix = uniquePrefix(name);
    state.redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: null });
    state.reminders = new Queue("reminders", { connection: state.redis, prefix: state.prefix });
  });
  afterEach(async () => {
    killLeftovers(procs);
    await state.reminders.close();
    state.redis.disconnect();
    await obliteratePrefix(state.prefix);
  });
  return state;
}
