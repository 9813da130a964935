/** Resend's error body: `{ statusCode, name, message }` (https://resend.com/docs/api-reference/errors). */
export interface ResendErrorBody {
  statusCode: number;
  name: string;
  message: string;
}

/** An answer the stand-in is about to write. */
export interface StandinAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function error(statusCode: number, name: string, message: string, headers?: Record<string, string>): StandinAnswer {
  const body: ResendErrorBody = { statusCode, name, message };
  return headers ? { status: statusCode, body, headers } : { status: statusCode, body };
}

// Statuses, names and messages as Resend documents them, so clients classify the stand-in's errors
// exactly as they would classify the real ones.
export const resendErrors = {
  missingApiKey: () => error(401, "missing_api_key", "Missing API key in the authorization header."),
  invalidApiKey: () => error(403, "invalid_api_key", "API key is invalid."),
  notFound: (message = "The requested endpoint does not exist.") => error(404, "not_found", message),
  methodNotAllowed: () => error(405, "method_not_allowed", "Method is not allowed for the requested path."),
  invalidIdempotencyKey: () => error(400, "invalid_idempotency_key", "The key must be between 1-256 chars."),
  invalidIdempotentRequest: () =>
    error(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload."),
  concurrentIdempotentRequests: () =>
    error(409, "concurrent_idempotent_requests", "Same idempotency key used while original request is still in progress."),
  invalidJson: () => error(400, "validation_error", "Invalid JSON in request body."),
  missingField: (field: string) => error(422, "missing_required_field", `Missing \`${field}\` field.`),
  validation: (message: string) => error(422, "validation_error", message),
  rateLimited: (limit: number, headers: Record<string, string>) =>
    error(
      429,
      "rate_limit_exceeded",
      `Too many requests. You can only make ${limit} requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.`,
      headers,
    ),
  internal: () => error(500, "internal_server_error", "An unexpected error occurred."),
};
