import type { EmailWorkerEnv } from "./env";
import { loadEmailWorkerEnv } from "./env";

/** A complete, validated env for tests: the real loader, fed test values. */
export function emailWorkerTestEnv(overrides: Record<string, string>): EmailWorkerEnv {
  return loadEmailWorkerEnv({
    NODE_ENV: "test",
    EMAIL_TRANSPORT: "resend",
    RESEND_API_KEY: "re_test_standin",
    EMAIL_FROM: "Call a Star <noreply@callastar.test>",
    APP_URL: "https://app.callastar.test",
    EMAIL_RATE_LIMIT_PER_SECOND: "0",
    SHUTDOWN_TIMEOUT_MS: "10000",
    ...overrides,
  });
}

/** The env of a spawned email-worker process (spawnApp) pointed at a test database, prefix and Resend stand-in. */
export function emailWorkerProcessEnv(target: { databaseUrl: string; redisUrl: string; prefix: string; resend: { apiKey: string; url: string } }): Record<string, string> {
  return {
    NODE_ENV: "test",
    DATABASE_URL: target.databaseUrl,
    REDIS_URL: target.redisUrl,
    QUEUE_PREFIX: target.prefix,
    RESEND_API_KEY: target.resend.apiKey,
    RESEND_BASE_URL: target.resend.url,
    EMAIL_FROM: "Call a Star <noreply@callastar.test>",
    APP_URL: "https://app.callastar.test",
    EMAIL_RATE_LIMIT_PER_SECOND: "0",
  };
}
