import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { DashboardConfig } from "../config";
import { safeEqual } from "./constant-time";
import { crossSiteReason } from "./csrf";
import { isUnsafeMethod, type Principal } from "./principal";
import { SESSION_COOKIE, readCookie, type SessionCodec } from "./session";
import { parseBasic, verifyUser } from "./users";
import { escapeHtml } from "../views/html";
import { isLoopbackHost } from "../http/loopback";
import type { AuthThrottle } from "./throttle";

/** How a route answers a missing credential: a browser page, JSON, or Prometheus-style text. */
export type ChallengeStyle = "page" | "json" | "text";

/** Which credentials a route group takes. */
export interface AuthOptions {
  /** Operators by Basic or session cookie. */
  users: boolean;
  /** Scripts by `Authorization: Bearer <CRON_SECRET>` or `x-cron-secret`. */
  cronSecret: boolean;
  style: ChallengeStyle;
}

/** A refused credential attempt, for the process log and (when a lockout starts) the audit log. */
export interface AuthRefusal {
  credential: "basic" | "cron-secret" | "login";
  address: string;
  path: string;
  /** "locked": refused unchecked because the address or user is locked out; "wrong": checked and wrong. */
  outcome: "locked" | "wrong";
  /** The lockout this attempt started, extended, or met (0 when still under the limit). */
  lockedMs: number;
}

/** The client's address as the socket sees it (no proxy header is trusted). */
export function clientAddress(req: Request): string {
  return req.socket.remoteAddress ?? "unknown";
}

/** Answers 429 with Retry-After in whole seconds. */
export function tooManyAttempts(res: Response, waitMs: number, style: ChallengeStyle): void {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  res.status(429).setHeader("Retry-After", String(seconds));
  res.setHeader("Cache-Control", "no-store");
  const message = `too many failed sign-in attempts; retry in ${seconds} s`;
  if (style === "json") return void res.json({ error: message });
  res.type("text/plain").send(`${message}\n`);
}

/** Builds the guards of every route: one authenticator shared by all route groups. */
export function createAuthenticator(config: DashboardConfig, sessions: SessionCodec, throttle: AuthThrottle, report: (refusal: AuthRefusal) => void) {
  const cronSecretOf = (req: Request): string | undefined => {
    const header = req.headers["x-cron-secret"];
    if (typeof header === "string") return header;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
    return bearer?.[1];
  };

  const resolve = (req: Request, options: AuthOptions): Principal | undefined => {
    if (options.cronSecret) {
      const given = cronSecretOf(req);
      if (given !== undefined && config.cronSecret !== undefined && safeEqual(given, config.cronSecret)) return { kind: "cron" };
    }
    if (!options.users) return undefined;
    const basic = parseBasic(req.headers.authorization);
    if (basic) {
      const user = verifyUser(config.users, basic.name, basic.password);
      // Wrong Basic credentials are final: no fallback to a cookie, so a bad password is always a 401.
      return user ? { kind: "user", name: user.name, role: user.role, via: "basic" } : undefined;
    }
    const session = sessions.verify(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (session) return { kind: "user", name: session.name, role: session.role, via: "session" };
    // Even when bound to loopback by config, a proxied or forwarded request from elsewhere gets nothing.
    if (config.insecureDev && config.users.length === 0 && isLoopbackHost(req.socket.remoteAddress) && !req.headers["x-forwarded-for"]) return { kind: "user", name: "dev", role: "admin", via: "insecure-dev" };
    return undefined;
  };

  // What the request offers that can be guessed: a cron secret or Basic credentials (a session cookie
  // is HMAC-signed, so guessing one is not a threat worth a counter).
  const presented = (req: Request, options: AuthOptions): { credential: "basic" | "cron-secret"; user?: string } | undefined => {
    if (options.cronSecret && cronSecretOf(req) !== undefined) return { credential: "cron-secret" };
    const basic = options.users ? parseBasic(req.headers.authorization) : undefined;
    return basic ? { credential: "basic", user: basic.name } : undefined;
  };

  const guard = async (req: Request, res: Response, next: NextFunction, options: AuthOptions): Promise<void> => {
    const offered = presented(req, options);
    const attempt = { address: clientAddress(req), user: offered?.user };
    if (offered) {
      const waitMs = await throttle.blockedForMs(attempt);
      if (waitMs > 0) {
        report({ credential: offered.credential, address: attempt.address, path: req.path, outcome: "locked", lockedMs: waitMs });
        return tooManyAttempts(res, waitMs, options.style);
      }
    }
    const principal = resolve(req, options);
    if (!principal) {
      if (offered) {
        const lockedMs = await throttle.recordFailure(attempt);
        report({ credential: offered.credential, address: attempt.address, path: req.path, outcome: "wrong", lockedMs });
      }
      return challenge(req, res, options);
    }
    if (principal.kind === "user" && isUnsafeMethod(req)) {
      const reason = crossSiteReason(req);
      if (reason) return void res.status(403).json({ error: `cross-site request refused (${reason})` });
    }
    res.locals.principal = principal;
    next();
  };

  /** Middleware: 401 without valid credentials, 429 while locked out, 403 for a cross-site state-changing operator request. */
  return function authenticate(options: AuthOptions): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => void guard(req, res, next, options).catch(next);
  };
}

function challenge(req: Request, res: Response, options: AuthOptions): void {
  res.status(401);
  if (options.users) res.setHeader("WWW-Authenticate", 'Basic realm="callastar", charset="UTF-8"');
  else res.setHeader("WWW-Authenticate", 'Bearer realm="callastar"');
  res.setHeader("Cache-Control", "no-store");
  if (options.style === "json") return void res.json({ error: "authentication required" });
  if (options.style === "text") return void res.type("text/plain").send("authentication required\n");
  const next = encodeURIComponent(req.originalUrl);
  res
    .type("html")
    .send(
      `<!doctype html><meta charset="utf-8"><title>Sign in required</title>` +
        `<p>Authentication required. <a href="/login?next=${escapeHtml(next)}">Sign in</a></p>`,
    );
}
