/** Stripe's error object, as it appears under `error` in every failed answer. */
interface StripeErrorObject {
  type: "api_error" | "card_error" | "idempotency_error" | "invalid_request_error";
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
}

/** An HTTP status and the error Stripe would send with it. */
export interface StripeFailure {
  status: number;
  error: StripeErrorObject;
}

function docUrl(code: string): string {
  return `https://stripe.com/docs/error-codes/${code.replace(/_/g, "-")}`;
}

/** 400 invalid_request_error for a bad or missing parameter. */
export function invalidParam(param: string, message: string, code?: string): StripeFailure {
  return {
    status: 400,
    error: { type: "invalid_request_error", message, param, ...(code ? { code, doc_url: docUrl(code) } : {}) },
  };
}

/** 404 resource_missing, as Stripe answers for an unknown object id. */
export function resourceMissing(status: 400 | 404, param: string, message: string): StripeFailure {
  return { status, error: { type: "invalid_request_error", code: "resource_missing", doc_url: docUrl("resource_missing"), message, param } };
}

/** The platform's available balance cannot cover the transfer. */
export function balanceInsufficient(): StripeFailure {
  return {
    status: 400,
    error: {
      type: "invalid_request_error",
      code: "balance_insufficient",
      doc_url: docUrl("balance_insufficient"),
      message:
        "You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card. See: https://stripe.com/docs/testing#available-balance",
    },
  };
}

/** 402, the status Stripe uses for card errors. */
export function cardDeclined(): StripeFailure {
  return {
    status: 402,
    error: { type: "card_error", code: "card_declined", decline_code: "generic_decline", doc_url: docUrl("card_declined"), message: "Your card was declined." },
  };
}

/** The same idempotency key reused with other parameters (or another endpoint). */
export function idempotencyMismatch(key: string, what: "parameters" | "endpoint"): StripeFailure {
  const message =
    what === "parameters"
      ? `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`
      : `Keys for idempotent requests can only be used for the same endpoint they were first used for. Try using a key other than '${key}' if you meant to execute a different request.`;
  return { status: 400, error: { type: "idempotency_error", message } };
}

/** A request with the same key is still being processed: Stripe answers 409 and the SDK retries. */
export function idempotencyInFlight(): StripeFailure {
  return {
    status: 409,
    error: {
      type: "idempotency_error",
      code: "idempotency_key_in_use",
      message: "There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): please try again later.",
    },
  };
}

/** Missing or wrong secret key. Real Stripe says `invalid_request_error` with status 401. */
export function unauthorized(key: string | undefined): StripeFailure {
  const message = key
    ? `Invalid API Key provided: ${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`
    : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').";
  return { status: 401, error: { type: "invalid_request_error", message } };
}

/** 429 from Stripe's rate limiter. */
export function rateLimited(): StripeFailure {
  return {
    status: 429,
    error: { type: "invalid_request_error", code: "rate_limit", doc_url: docUrl("rate_limit"), message: "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests." },
  };
}

/** 500 api_error: something went wrong on Stripe's side. */
export function apiError(message = "An unknown error occurred (injected by the stand-in)."): StripeFailure {
  return { status: 500, error: { type: "api_error", message } };
}
