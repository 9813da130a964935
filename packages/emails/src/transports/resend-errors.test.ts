import { PermanentError, RateLimitedError, TransientError } from "@callastar/errors";
import { classifyResendError, DEFAULT_RETRY_AFTER_MS } from "./resend-errors";

const err = (statusCode: number | null, name: string, message = "m") => ({ statusCode, name, message });

it.each([
  [err(500, "internal_server_error"), TransientError],
  [err(500, "application_error"), TransientError],
  [err(502, "application_error"), TransientError],
  [err(null, "application_error"), TransientError],
  [err(409, "concurrent_idempotent_requests"), TransientError],
  [err(409, "invalid_idempotent_request"), PermanentError],
  [err(400, "invalid_idempotency_key"), PermanentError],
  [err(422, "validation_error"), PermanentError],
  [err(422, "missing_required_field"), PermanentError],
  [err(401, "missing_api_key"), PermanentError],
  [err(403, "invalid_api_key"), PermanentError],
  [err(404, "not_found"), PermanentError],
  [err(429, "monthly_quota_exceeded"), PermanentError],
  [err(429, "rate_limit_exceeded"), RateLimitedError],
  [err(429, "daily_quota_exceeded"), RateLimitedError],
])("%j → %p", (error, kind) => {
  const classified = classifyResendError(error, null);
  expect(classified).toBeInstanceOf(kind);
  expect(classified.cause).toBe(error);
});

it("reads retry-after (seconds) from the headers the SDK returns", () => {
  const error = classifyResendError(err(429, "rate_limit_exceeded"), { "retry-after": "2", "ratelimit-reset": "5" });
  expect((error as RateLimitedError).retryAfterMs).toBe(2000);
});

it("falls back to ratelimit-reset, then to one second", () => {
  expect((classifyResendError(err(429, "rate_limit_exceeded"), { "ratelimit-reset": "3" }) as RateLimitedError).retryAfterMs).toBe(3000);
  expect((classifyResendError(err(429, "rate_limit_exceeded"), null) as RateLimitedError).retryAfterMs).toBe(DEFAULT_RETRY_AFTER_MS);
});

it("tells a timeout from another network failure", () => {
  expect(classifyResendError(err(null, "application_error"), null, { timedOut: true, timeoutMs: 50 })).toMatchObject({ code: "timeout" });
  expect(classifyResendError(err(null, "application_error"), null)).toMatchObject({ code: "network_error" });
});
