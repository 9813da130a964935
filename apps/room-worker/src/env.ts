import { z } from "zod";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime/start";

/** The room worker's variables, each with its form (docs/configuration.md's table is generated from it). */
export const envSchema = z.object({
  ...workerEnvShape,
  DAILY_API_KEY: envFields.apiKey("the Daily REST API key", 8).describe("Daily REST API key"),
  DAILY_API_URL: envFields
    .apiBaseUrl("/v1", "https://api.daily.co/v1")
    .default("https://api.daily.co/v1")
    .describe("Daily API base including its version path `/v1`, e.g. `https://api.daily.co/v1`"),
  DAILY_DELETE_RATE_PER_SECOND: envFields
    .nonNegativeInt(2)
    .describe("`DELETE /rooms` per second, one limit across every copy (held in Redis; Daily allows about 2); 0 = unlimited"),
  DAILY_TIMEOUT_MS: envFields.positiveInt(10_000).describe("ms: timeout of one Daily request"),
  ROOMS_CONCURRENCY: envFields.positiveInt(5).describe("room jobs one copy runs at once"),
});

/** The room worker's parsed configuration. */
export type RoomWorkerEnv = z.output<typeof envSchema>;

/** The room worker's configuration, validated once at start-up. */
export const loadRoomWorkerEnv = (source: Record<string, string | undefined> = process.env): RoomWorkerEnv =>
  loadEnv(envSchema, source);
