import { z } from "zod";
import { envFields, loadEnv, workerEnvShape } from "@callastar/runtime";

const schema = z.object({
  ...workerEnvShape,
  DAILY_API_KEY: z.string({ error: "is required (the Daily REST API key)" }).min(1, "is required (the Daily REST API key)"),
  DAILY_API_URL: envFields.apiBaseUrl("/v1", "https://api.daily.co/v1").default("https://api.daily.co/v1"),
  /** Daily allows about 2 DELETE /rooms per second per account: shared by every copy through Redis. */
  DAILY_DELETE_RATE_PER_SECOND: envFields.nonNegativeInt(2),
  DAILY_TIMEOUT_MS: envFields.positiveInt(10_000),
  ROOMS_CONCURRENCY: envFields.positiveInt(5),
});

/** The room worker's parsed configuration. */
export type RoomWorkerEnv = z.output<typeof schema>;

/** The room worker's configuration, validated once at start-up. */
export const loadRoomWorkerEnv = (source: Record<string, string | undefined> = process.env): RoomWorkerEnv =>
  loadEnv(schema, source);
