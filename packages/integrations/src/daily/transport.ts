import { TransientError } from "@callastar/errors";
import type { DailyAnswer } from "./errors";

/** How the Daily client reaches the API. */
export interface DailyTransportOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

/** Sends one request and reads the answer; only network failures, timeouts and unreadable 2xx bodies throw. */
export async function sendDailyRequest(
  options: DailyTransportOptions,
  method: "GET" | "POST" | "DELETE",
  path: string,
  body?: unknown,
): Promise<DailyAnswer> {
  const operation = `${method} ${path}`;
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(`${options.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${options.apiKey}`,
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      // One deadline for connect, headers and body: a stalled body is as stuck as a stalled connect.
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    // Duck-typed: the DOMException fetch throws may come from another realm (jest's vm context).
    const timedOut = nameOf(error) === "TimeoutError";
    throw new TransientError(
      timedOut ? `Daily ${operation} timed out after ${options.timeoutMs} ms` : `Daily ${operation} failed: ${describe(error)}`,
      { cause: error, code: timedOut ? "ETIMEDOUT" : "network_error" },
    );
  }
  const retryAfter = response.headers.get("retry-after");
  if (text.length === 0) return { status: response.status, body: undefined, text, retryAfter };
  try {
    return { status: response.status, body: JSON.parse(text) as unknown, text, retryAfter };
  } catch (error) {
    if (!response.ok) return { status: response.status, body: undefined, text, retryAfter };
    throw new TransientError(`Daily ${operation} answered ${response.status} with a body that is not JSON: ${text.slice(0, 120)}`, {
      cause: error,
      status: response.status,
      code: "malformed_response",
    });
  }
}

function nameOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "name" in error ? String(error.name) : undefined;
}

function describe(error: unknown): string {
  if (typeof error !== "object" || error === null || !("message" in error)) return String(error);
  // undici hides the socket error (ECONNREFUSED, "other side closed") in `cause`.
  const cause = "cause" in error && typeof error.cause === "object" && error.cause !== null && "message" in error.cause ? `: ${String(error.cause.message)}` : "";
  return `${String(error.message)}${cause}`;
}
