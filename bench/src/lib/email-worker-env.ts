// The env of an email-worker process a benchmark spawns: production mode, against a Resend stand-in.
import type { ResendStandin } from "@callastar/standins";

/** Env of a spawned email worker on `url`/`redisUrl`/`prefix`, sending to `resend`; `extra` overrides. */
export function emailWorkerBenchEnv(
  target: { url: string; redisUrl: string; prefix: string; resend: Pick<ResendStandin, "apiKey" | "url"> },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: "production",
    DATABASE_URL: target.url,
    REDIS_URL: target.redisUrl,
    QUEUE_PREFIX: target.prefix,
    RESEND_API_KEY: target.resend.apiKey,
    RESEND_BASE_URL: target.resend.url,
    EMAIL_FROM: "Call a Star <noreply@bench.test>",
    APP_URL: "https://app.bench.test",
    ...extra,
  };
}
