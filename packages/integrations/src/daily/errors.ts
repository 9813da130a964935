import { PermanentError, RateLimitedError, TransientError, parseRetryAfter } from "@callastar/errors";
import type { z } from "zod";
import { dailyErrorBodySchema } from "./schemas";

/** What Daily answered, before we decide what it means. */
export interface DailyAnswer {
  status: number;
  body: unknown;
  text: string;
  retryAfter: string | null;
}

/** Maps a non-2xx Daily answer to the taxonomy: 429 rate-limited, 5xx/408/409 transient, other 4xx permanent. */
export function dailyErrorFor(operation: string, answer: DailyAnswer): PermanentError | TransientError | RateLimitedError {
  const parsed = dailyErrorBodySchema.safeParse(answer.body);
  const code = parsed.success ? parsed.data.error : undefined;
  const detail = parsed.success ? `${parsed.data.error}${parsed.data.info ? `: ${parsed.data.info}` : ""}` : answer.text.slice(0, 200);
  const message = `Daily ${operation} answered ${answer.status}${detail ? ` (${detail})` : ""}`;
  if (answer.status === 429) return new RateLimitedError(message, parseRetryAfter(answer.retryAfter), { status: 429 });
  if (answer.status >= 500 || answer.status === 408 || answer.status === 409) return new TransientError(message, { status: answer.status, code });
  return new PermanentError(message, { status: answer.status, code });
}

/**
 * Parses a 2xx body with its schema. A body that does not match is treated as transient: it is
 * Daily (or a proxy in front of it) misbehaving, not our request being wrong.
 */
export function parseDailyBody<T>(operation: string, schema: z.ZodType<T>, answer: DailyAnswer): T {
  const result = schema.safeParse(answer.body);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
  throw new TransientError(`Daily ${operation} answered ${answer.status} with an unexpected body: ${issues}`, {
    cause: result.error,
    status: answer.status,
    code: "malformed_response",
  });
}
