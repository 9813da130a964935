// What "PostgreSQL cannot be reached right now" looks like through postgres.js (and drizzle, which
// wraps its errors with a `cause`): a refused or cut socket, a connection postgres.js closed or
// could not open in time, or the server saying it is shutting down, starting up or crashed.

// Socket errors of a server that is down, restarting or unreachable.
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE", "EAI_AGAIN"]);
// postgres.js' own codes for a connection that closed under a query or never opened.
const CLIENT_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED", "CONNECT_TIMEOUT"]);
// SQLSTATE: 57P01 admin_shutdown (fast stop, pg_terminate_backend), 57P02 crash_shutdown,
// 57P03 cannot_connect_now (starting up, shutting down, in recovery), 53300 too_many_connections.
const SERVER_CODES = new Set(["57P01", "57P02", "57P03", "53300"]);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * True when `error` (or an error in its `cause` chain) says PostgreSQL is unreachable rather than
 * that the statement itself failed: retrying the same work once the server answers can succeed.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = error; e !== null && typeof e === "object" && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const code = codeOf(e);
    if (code && (SOCKET_CODES.has(code) || CLIENT_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith("08"))) return true;
  }
  return false;
}

/** A one-line reason for an unavailable database, for messages and HTTP answers (no connection string). */
export function unavailableReason(error: unknown): string {
  const seen = new Set<unknown>();
  for (let e: unknown = error; e !== null && typeof e === "object" && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const code = codeOf(e);
    if (code && isDatabaseUnavailable(e)) return `PostgreSQL unavailable (${code})`;
  }
  return "PostgreSQL unavailable";
}
