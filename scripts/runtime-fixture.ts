// Shared by the tests that start the compiled apps as production does (runtime-start, runtime-layout):
// a database, a queue prefix and the stand-ins, the environment every app needs, and the line each
// app prints once its SIGTERM handler is installed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SCHEDULER_IDS } from "../packages/queues/src/index";
import { startDailyStandin, startResendStandin, startStripeStandin } from "../packages/standins/src/index";
import { createTestDatabase, freePort, obliteratePrefix, systemEnv, testEnv, uniquePrefix, waitFor, type AppProcess } from "../packages/testing/src/index";

export const repoRoot = resolve(__dirname, "..");

/**
 * `pnpm build`, as an operator runs it before starting. `pnpm test` builds before jest, so here it is
 * a turbo cache hit that leaves the bundles untouched while another test file runs them.
 */
export function buildApps(): void {
  execFileSync("pnpm", ["build"], { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] });
}

export interface RuntimeSystem {
  /** The production environment of every app (NODE_ENV=production, credentials, stand-ins). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startRuntimeSystem(label: string): Promise<RuntimeSystem> {
  const db = await createTestDatabase();
  const prefix = uniquePrefix(label);
  const spoolDir = mkdtempSync(join(tmpdir(), `callastar-${label}-spool-`));
  const [resend, daily, stripe] = await Promise.all([startResendStandin(), startDailyStandin(), startStripeStandin()]);
  const env = {
    NODE_ENV: "production",
    ...systemEnv({ databaseUrl: db.url, redisUrl: testEnv.redisUrl, prefix, spoolDir, standins: { resend, daily, stripe } }),
    CRON_SECRET: "runtime-test-cron-secret-0123",
    DASHBOARD_ADMIN_USER: "admin",
    DASHBOARD_ADMIN_PASSWORD: "runtime-test-password",
    DASHBOARD_SESSION_SECRET: "runtime-test-session-secret-0123456789abcdef",
    HOST: "127.0.0.1",
    PORT: String(await freePort()),
    SHUTDOWN_TIMEOUT_MS: "20000",
  };
  return {
    env,
    async close() {
      await Promise.all([resend.close(), daily.close(), stripe.close()]);
      await obliteratePrefix(prefix);
      await db.drop();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

/** Whether `output` holds a JSON log line of `app` whose message starts with `msg` (apps log pino JSON lines). */
export function hasLine(output: string, app: string, msg: string | RegExp): boolean {
  return output.split("\n").some((line) => {
    if (!line.startsWith("{")) return false;
    try {
      const entry = JSON.parse(line) as { app?: unknown; msg?: unknown };
      if (entry.app !== app || typeof entry.msg !== "string") return false;
      return typeof msg === "string" ? entry.msg.startsWith(msg) : msg.test(entry.msg);
    } catch {
      return false;
    }
  });
}

/** Resolves once `app` has printed the line that follows the installation of its shutdown handler. */
export async function waitUntilReady(app: string, process: AppProcess, timeoutMs = 60_000): Promise<void> {
  const ready = app === "dashboard" ? ["listening on"] : app === "outbox-relay" ? ["relaying"] : app === "scheduler" ? SCHEDULER_IDS.map((id) => `registered ${id} `) : ["consuming"];
  await waitFor(`${app} ready (${ready.join(", ")})`, () => ready.every((msg) => hasLine(process.output(), app, msg)), { timeoutMs });
}

/**
 * The process' exit code; when it is not 0, the lines that say why (warnings, errors, shutdown steps,
 * plain lines such as "<app> exited (1)") go to stderr, so a failure seen once in CI can be read.
 */
export async function exitCodeExplained(name: string, proc: AppProcess): Promise<number | string> {
  const code = await proc.exited;
  if (code !== 0) {
    const why = proc
      .output()
      .split("\n")
      .filter((line) => (line.startsWith("{") ? /"level":"(warn|error|fatal)"|shut|exceeded|closed/.test(line) : line.trim() !== ""));
    process.stderr.write(`${name} exited ${code}; what it said:\n${why.slice(-60).join("\n")}\n`);
  }
  return code;
}

/** The clean shutdown every app runs on SIGTERM: its first line and its last step. */
export function expectCleanShutdown(app: string, output: string): void {
  expect(hasLine(output, app, "shutting down (SIGTERM)")).toBe(true);
  expect(hasLine(output, app, /^postgres closed in \d+ ms$/)).toBe(true);
  expect(hasLine(output, app, "shutdown exceeded")).toBe(false);
}
