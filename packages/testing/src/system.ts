// The whole system on one machine, as `pnpm demo` and `pnpm chaos` run it: a migrated database of
// its own and the environment every app needs to run against the Resend, Daily and Stripe stand-ins.
import postgres from "postgres";
import { runMigrations } from "@callastar/db";
import { withDatabase } from "./database";

/** Creates database `name` on the admin URL's server (dropped first when `fresh`), migrates it, returns its URL. */
export async function prepareDatabase(adminUrl: string, name: string, { fresh = false } = {}): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new RangeError(`database name "${name}" must be [a-z0-9_]`);
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    if (fresh) await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    const [exists] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
    if (!exists) await admin.unsafe(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  await runMigrations(url);
  return url;
}

/** Drops a database made by {@link prepareDatabase}, whatever is still connected to it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** What an app needs to know of the running stand-ins (the handles `startXStandin` returns). */
export interface StandinEndpoints {
  resend: { url: string; apiKey: string };
  daily: { url: string; apiKey: string };
  stripe: { url: string; secretKey: string };
}

/** The environment shared by every app of a local system on the stand-ins (each app adds its own). */
export function systemEnv(options: {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  spoolDir: string;
  standins: StandinEndpoints;
}): Record<string, string> {
  const { resend, daily, stripe } = options.standins;
  return {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    LOG_SPOOL_DIR: options.spoolDir,
    EMAIL_TRANSPORT: "resend",
    RESEND_API_KEY: resend.apiKey,
    RESEND_BASE_URL: resend.url,
    EMAIL_FROM: "Call a Star <noreply@callastar.demo>",
    APP_URL: "http://localhost:3001",
    DAILY_API_KEY: daily.apiKey,
    DAILY_API_URL: daily.url,
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_API_BASE: stripe.url,
  };
}
