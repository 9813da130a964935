import { createTestDatabase, type TestDatabase } from "./database";
import { obliteratePrefix, uniquePrefix } from "./redis";

/** Anything a test starts that must stop before its queues are obliterated (a worker app, a relay). */
interface Stoppable {
  shutdown(reason: string): Promise<void>;
}

/** The state `useWorkerTests` keeps: read it inside hooks and tests, never at module load. */
export interface WorkerTests<A extends Stoppable> {
  /** The file's database, cloned from the migrated template. */
  t: TestDatabase;
  /** This test's queue prefix. */
  prefix: string;
  /** Registers an app started by this test; it is shut down after the test. Returns it. */
  track(app: A): A;
}

/**
 * Jest hooks for a file whose tests start worker processes in-process: a database for the file,
 * the given tables truncated and a fresh queue prefix before each test, and after each test every
 * tracked app shut down, then the prefix obliterated.
 */
export function useWorkerTests<A extends Stoppable>(name: string, options: { truncate?: readonly string[] } = {}): WorkerTests<A> {
  const apps: A[] = [];
  const state = {
    prefix: "",
    track(app: A) {
      apps.push(app);
      return app;
    },
  } as WorkerTests<A>;
  beforeAll(async () => {
    state.t = await createTestDatabase();
  });
  afterAll(() => state.t.drop());
  beforeEach(async () => {
    if (options.truncate?.length) await state.t.sql.unsafe(`TRUNCATE ${options.truncate.map((n) => `"${n}"`).join(", ")} CASCADE`);
    state.prefix = uniquePrefix(name);
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.shutdown("test over")));
    await obliteratePrefix(state.prefix);
  });
  return state;
}
