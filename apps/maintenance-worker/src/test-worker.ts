import { Redis } from "ioredis";
import { Producer } from "@callastar/producer";
import type { WorkerApp } from "@callastar/runtime";
import { createTestDatabase, obliteratePrefix, testEnv, uniquePrefix, type TestDatabase } from "@callastar/testing";
import { startMaintenanceWorker } from "./app";
import { loadMaintenanceEnv } from "./env";

/** What `useMaintenanceWorker` sets up: read it inside hooks and tests, never at module load. */
export interface MaintenanceWorkerTest {
  /** The file's database, cloned from the migrated template. */
  t: TestDatabase;
  /** A producer on the worker's queue prefix, to run its crons through the queue. */
  producer: Producer;
}

/**
 * Jest hooks for a file testing one maintenance worker started in-process with `env` (besides the
 * database, Redis and prefix): everything it opened is closed after the file, so it exits alone.
 */
export function useMaintenanceWorker(name: string, env: Record<string, string>): MaintenanceWorkerTest {
  const state = {} as MaintenanceWorkerTest;
  const prefix = uniquePrefix(name);
  let app: WorkerApp | undefined;
  let redis: Redis | undefined;
  beforeAll(async () => {
    state.t = await createTestDatabase();
    app = await startMaintenanceWorker(
      loadMaintenanceEnv({ DATABASE_URL: state.t.url, REDIS_URL: testEnv.redisUrl, QUEUE_PREFIX: prefix, ...env }),
      { exit: () => undefined },
    );
    redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
    state.producer = new Producer({ connection: redis, prefix });
  });
  afterAll(async () => {
    await state.producer?.close();
    await app?.shutdown("test over");
    redis?.disconnect();
    await obliteratePrefix(prefix);
    await state.t?.drop();
  });
  return state;
}
