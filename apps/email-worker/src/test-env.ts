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
