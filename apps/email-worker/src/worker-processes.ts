// The setup the email-worker process tests share: a database and a Resend stand-in for the file, a
// queue prefix and a producer, and real worker processes spawned on them and killed at the end.
import { Redis } from "ioredis";
import { Producer, type ProducerOptions } from "@callastar/producer";
import { startResendStandin, type ResendStandin, type ResendStandinOptions } from "@callastar/standins";
import { createTestDatabase, obliteratePrefix, spawnApp, testEnv, uniquePrefix, type AppProcess, type TestDatabase } from "@callastar/testing";
import { emailWorkerProcessEnv } from "./test-env";

/** A Redis set of the test's own (Cluster, Sentinel) in place of the shared server. */
export interface RedisTopology {
  /** What the producer connects to. */
  connection: ProducerOptions["connection"];
  /** The worker's env naming it (REDIS_CLUSTER_NODES, REDIS_SENTINELS…); REDIS_URL is left out. */
  workerEnv: Record<string, string>;
  stop(): Promise<void>;
}

/** The state `useWorkerProcesses` keeps: read it inside hooks and tests, never at module load. */
export interface WorkerProcesses<T extends RedisTopology | undefined> {
  t: TestDatabase;
  resend: ResendStandin;
  prefix: string;
  producer: Producer;
  /** The file's own Redis set, when one was asked for. */
  topology: T;
  /** Every process spawned so far (this test's, with `perTest`). */
  procs: AppProcess[];
  /** Spawns an email-worker process on this database, prefix, stand-in and Redis; `extra` overrides its env. */
  spawn(extra?: Record<string, string>): AppProcess;
}

interface Options<T extends RedisTopology | undefined> {
  /** The stand-in's options (default: no rate limit). */
  resend?: ResendStandinOptions;
  /** A fresh prefix and producer and a reset stand-in for each test (default: one for the file). */
  perTest?: boolean;
  /** Starts the file's own Redis set; without it the shared test Redis serves. */
  topology?: () => Promise<T>;
  /** Producer options beyond connection and prefix (replicaAcks, a quiet log). */
  producer?: Omit<ProducerOptions, "connection" | "prefix">;
}

/** Jest hooks for a file whose tests spawn email-worker processes: see {@link WorkerProcesses}. */
export function useWorkerProcesses<T extends RedisTopology | undefined = undefined>(name: string, options: Options<T> = {}): WorkerProcesses<T> {
  let redis: Redis | undefined;
  const state = {
    procs: [] as AppProcess[],
    spawn(extra: Record<string, string> = {}) {
      const base = emailWorkerProcessEnv({ databaseUrl: state.t.url, redisUrl: testEnv.redisUrl, prefix: state.prefix, resend: state.resend });
      const { REDIS_URL: _shared, ...rest } = base;
      const env = state.topology ? { ...rest, ...state.topology.workerEnv } : base;
      const p = spawnApp("email-worker", { ...env, ...extra });
      state.procs.push(p);
      return p;
    },
  } as WorkerProcesses<T>;

  const open = () => {
    state.prefix = uniquePrefix(name);
    redis = state.topology ? undefined : new Redis(testEnv.redisUrl, { maxRetriesPerRequest: 1 });
    state.producer = new Producer({ ...options.producer, connection: redis ?? state.topology!.connection, prefix: state.prefix });
  };
  const close = async () => {
    for (const p of state.procs.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await state.producer?.close();
    redis?.disconnect();
    if (!state.topology) await obliteratePrefix(state.prefix);
  };

  beforeAll(async () => {
    [state.t, state.resend, state.topology] = await Promise.all([
      createTestDatabase(),
      startResendStandin(options.resend ?? { rateLimitPerSecond: 0 }),
      options.topology ? options.topology() : (undefined as T),
    ]);
    if (!options.perTest) open();
  }, 60_000);
  afterAll(async () => {
    if (!options.perTest) await close();
    await state.resend?.close();
    await state.t?.drop();
    await state.topology?.stop();
  });
  if (options.perTest) {
    beforeEach(() => {
      state.resend.reset();
      open();
    });
    afterEach(close);
  }
  return state;
}
