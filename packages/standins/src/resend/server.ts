import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleControl } from "./control-api";
import { handleGet, handleSend, type RouteOutcome } from "./emails-api";
import { resendErrors } from "./errors";
import { readBody, safeHeaders, sleep, writeAnswer } from "./http";
import { rateLimitHeaders } from "./rate-limiter";
import { StandinState } from "./state";
import type { ResendStandin, ResendStandinOptions } from "./types";

const TEAM = "team";
const EMAIL_BY_ID = /^\/emails\/([^/]+)$/;

/**
 * Auth, rate limit and faults, in that order, then the route; `drop` asks the caller to destroy the
 * socket. `seen.countedAt` is set when the rate window counts (or refuses) the request.
 */
async function handleApi(state: StandinState, req: IncomingMessage, path: string, rawBody: string | null, seen: { countedAt: number }): Promise<RouteOutcome> {
  state.requests += 1;
  const auth = req.headers.authorization ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
  if (!match) return { answer: resendErrors.missingApiKey() };
  if (!match[1] || !state.keys.has(match[1])) return { answer: resendErrors.invalidApiKey() };

  // One window for the team, whichever of its keys a request carries (as Resend counts).
  seen.countedAt = state.now();
  const verdict = state.limiter.take(TEAM);
  const limitHeaders = state.limiter.enabled ? rateLimitHeaders(verdict) : {};
  const withLimits = (outcome: RouteOutcome): RouteOutcome => ({
    ...outcome,
    answer: { ...outcome.answer, headers: { ...limitHeaders, ...outcome.answer.headers } },
  });
  if (!verdict.allowed) {
    state.rateLimited += 1;
    return { answer: resendErrors.rateLimited(verdict.limit, { ...limitHeaders, "retry-after": String(verdict.resetSeconds) }) };
  }

  switch (state.faults.decide()) {
    case "drop":
      return { answer: resendErrors.internal(), drop: true };
    case "fail":
      return withLimits({ answer: resendErrors.internal() });
    case "rate-limit": {
      state.rateLimited += 1;
      const seconds = String(state.faults.retryAfterSeconds);
      const headers = { ...limitHeaders, "ratelimit-remaining": "0", "ratelimit-reset": seconds, "retry-after": seconds };
      return { answer: resendErrors.rateLimited(verdict.limit || 2, headers) };
    }
    case "none":
      break;
  }

  if (rawBody === null) {
    return withLimits({ answer: { status: 413, body: { statusCode: 413, name: "validation_error", message: "Request body too large." } } });
  }
  const method = req.method ?? "GET";
  if (path === "/emails" || path === "/emails/batch") {
    if (method !== "POST") return withLimits({ answer: resendErrors.methodNotAllowed() });
    return withLimits(await handleSend(state, { endpoint: path, rawBody, headers: safeHeaders(req) }));
  }
  const byId = EMAIL_BY_ID.exec(path);
  if (byId?.[1]) {
    if (method !== "GET") return withLimits({ answer: resendErrors.methodNotAllowed() });
    return withLimits(handleGet(state, decodeURIComponent(byId[1])));
  }
  return withLimits({ answer: resendErrors.notFound() });
}

async function handle(state: StandinState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const startedAt = state.now();
  const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname.replace(/\/+$/, "") || "/";
  const rawBody = await readBody(req);
  if (path.startsWith("/_standin/")) {
    writeAnswer(res, handleControl(state, req.method ?? "GET", path, rawBody ?? ""));
    return;
  }
  state.inFlight += 1;
  const seen = { countedAt: startedAt };
  let status = 0;
  try {
    const outcome = await handleApi(state, req, path, rawBody, seen);
    if (!outcome.delayed) await sleep(state.faults.slowMs);
    if (outcome.drop) {
      // The client sees a reset connection and no status, like a network failure after Resend accepted the email.
      req.socket.destroy();
      return;
    }
    status = outcome.answer.status;
    writeAnswer(res, outcome.answer);
  } finally {
    state.inFlight -= 1;
    const key = req.headers["idempotency-key"];
    state.requestLog.push({ endpoint: path, idempotencyKey: typeof key === "string" ? key : null, startedAt, countedAt: seen.countedAt, answeredAt: state.now(), status });
  }
}

/** Starts a local HTTP server that speaks Resend's email API (auth, validation, idempotency, rate limit, faults). */
export async function startResendStandin(options: ResendStandinOptions = {}): Promise<ResendStandin> {
  const state = new StandinState(options);
  const server = createServer((req, res) => {
    handle(state, req, res).catch((error: unknown) => {
      // A bug in the stand-in must surface as a 500 the test can see, not as a hung request.
      if (!res.headersSent) writeAnswer(res, { status: 500, body: { statusCode: 500, name: "application_error", message: String(error) } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    apiKey: state.apiKey,
    get deliveries() {
      return state.deliveries;
    },
    get requests() {
      return state.requests;
    },
    get requestLog() {
      return state.requestLog;
    },
    get rateLimited() {
      return state.rateLimited;
    },
    get inFlight() {
      return state.inFlight;
    },
    get replays() {
      return state.replays;
    },
    setFaults: (faults) => state.faults.set(faults),
    getFaults: () => state.faults.get(),
    reset: () => state.reset(),
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets of fetch would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
