// Test support: a dashboard on an ephemeral port over the real Redis and PostgreSQL, closed after.
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import type { Express } from "express";
import type { Redis } from "ioredis";
import { createAuditLogger, type AuditLogger } from "@callastar/audit-log";
import { createProducerConnection, waitForRedis } from "@callastar/queues";
import { Producer } from "@callastar/producer";
import { createProcessLog, type ProcessLog } from "@callastar/runtime";
import { createTestDatabase, obliteratePrefix, testEnv, uniquePrefix, type TestDatabase } from "@callastar/testing";
import { createDashboardApp } from "../app";
import type { DashboardConfig } from "../config";

/** Credentials every test dashboard accepts. */
export const creds = {
  admin: { name: "ops-admin", password: "admin-password-123" },
  viewer: { name: "ops-viewer", password: "viewer-password-123" },
  cronSecret: "cron-secret-0123456789abcdef",
  sessionSecret: "session-secret-0123456789abcdef-0123456789",
};

/** Test config: an admin, a viewer, a cron secret and a session secret. */
export function testConfig(overrides: Partial<DashboardConfig> = {}): DashboardConfig {
  return {
    users: [
      { ...creds.admin, role: "admin" },
      { ...creds.viewer, role: "viewer" },
    ],
    cronSecret: creds.cronSecret,
    sessionSecret: creds.sessionSecret,
    secureCookies: false,
    insecureDev: false,
    ...overrides,
  };
}

/** `Authorization: Basic …` for a name and password. */
export function basic(user: { name: string; password: string }): string {
  return `Basic ${Buffer.from(`${user.name}:${user.password}`).toString("base64")}`;
}

/** One test database and audit logger, shared by the tests of a file. */
export interface SharedServices {
  db: TestDatabase;
  logger: AuditLogger;
  close(): Promise<void>;
}

/** Creates the file's database (cloned from the migrated template) and its audit logger. */
export async function sharedServices(): Promise<SharedServices> {
  const db = await createTestDatabase();
  const logger = createAuditLogger({ db, ackTimeoutMs: 10_000 });
  return {
    db,
    logger,
    async close() {
      await logger.close();
      await db.drop();
    },
  };
}

/** A running dashboard with its own queue prefix. */
export interface RunningDashboard {
  app: Express;
  server: Server;
  base: string;
  prefix: string;
  producer: Producer;
  redis: Redis;
  close(): Promise<void>;
}

/** Starts a dashboard on 127.0.0.1:<ephemeral> with a fresh queue prefix. */
export async function startDashboard(services: SharedServices, overrides: Partial<DashboardConfig> = {}, log?: ProcessLog): Promise<RunningDashboard> {
  const prefix = uniquePrefix("dash");
  const redis = createProducerConnection(testEnv.redisUrl);
  await waitForRedis(redis);
  const producer = new Producer({ connection: redis, prefix });
  const app = createDashboardApp({ db: services.db, logger: services.logger, producer, redis, prefix, config: testConfig(overrides), ...(log ? { log } : {}) });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    app,
    server,
    base: `http://127.0.0.1:${port}`,
    prefix,
    producer,
    redis,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await producer.close();
      await redis.quit();
      await obliteratePrefix(prefix);
    },
  };
}

/**
 * Registers the usual lifecycle in the calling test file — shared services for the file, a fresh
 * dashboard per test — and returns live accessors to both.
 */
export function useDashboard(overrides: Partial<DashboardConfig> = {}): { services(): SharedServices; dash(): RunningDashboard } {
  let services: SharedServices | undefined;
  let dash: RunningDashboard | undefined;
  beforeAll(async () => {
    services = await sharedServices();
  });
  afterAll(async () => {
    await services?.close();
  });
  beforeEach(async () => {
    dash = await startDashboard(services!, overrides);
  });
  afterEach(async () => {
    await dash?.close();
  });
  return { services: () => services!, dash: () => dash! };
}

/**
 * One HTTP request through node:http, which (unlike fetch) sends any `Host` and can leave from any
 * loopback address (`localAddress: "127.0.0.7"`), so tests can be many clients.
 */
export function send(
  base: string,
  path: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; localAddress?: string; body?: string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { method: options.method ?? "GET", headers: options.headers, localAddress: options.localAddress, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A process log whose JSON lines the test can read. */
export function capturedLog(): { log: ProcessLog; entries(): Record<string, unknown>[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { log: createProcessLog({ app: "dashboard", destination }), entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
