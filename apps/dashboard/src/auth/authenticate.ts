import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { DashboardConfig, Role } from "../config";
import { clientAddress, crossSiteReason, isLoopbackHost, isUnsafeMethod } from "../http/request-origin";
import { escapeHtml } from "../views/html";
import { parseBasic, presentedCronSecrets, safeEqual, verifyUser } from "./credentials";
import type { Lockout } from "./lockout";
import { SESSION_COOKIE, clearedSessionCookie, readCookie, type SessionCodec } from "./session";

/** Who is calling: an operator (by Basic, session cookie, or insecure development) or a cron-secret script. */
export type Principal =
  | { kind: "user"; name: string; role: Role; via: "basic" | "session" | "insecure-dev" }
  | { kind: "cron" };

/** The principal the auth middleware attached to this response (throws if a route forgot its guard). */
export function principalOf(res: Response): Principal {
  const principal = res.locals.principal as Principal | undefined;
  if (!principal) throw new Error("route reached without authentication");
  return principal;
}

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

/** A form in which a request presents a credential. */
type CredentialForm = "basic" | "session" | "bearer" | "x-cron-secret" | "login";

/** A refused credential attempt, for the process log and (when a lockout starts) the audit log. */
export interface AuthRefusal {
  /** The forms presented ("basic+x-cron-secret"). */
  credential: string;
  address: string;
  path: string;
  /** "locked": refused unchecked because the address or a user is locked out; "wrong": checked and wrong. */
  outcome: "locked" | "wrong";
  /** The lockout this attempt started, extended, or met (0 when still under the limit). */
  lockedMs: number;
}

/** One credential a request presents: whether it is right, the user it names, and whom it proves. */
interface Presented {
  form: CredentialForm;
  valid: boolean;
  user?: string;
  principal?: Principal;
}

/** Answers 429 with Retry-After in whole seconds. */
function tooManyAttempts(res: Response, waitMs: number, style: ChallengeStyle): void {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  res.status(429).setHeader("Retry-After", String(seconds));
  res.setHeader("Cache-Control", "no-store");
  const message = `too many failed sign-in attempts; retry in ${seconds} s`;
  if (style === "json") return void res.json({ error: message });
  res.type("text/plain").send(`${message}\n`);
}

/**
 * Checks a credential attempt against the lockout: 429 while any identity it names is locked, else
 * runs `check`; a false result counts one failure against every identity. Shared by the route
 * guards and the login form, so every way of presenting a credential is counted the same.
 */
export async function throttled(
  lockout: Lockout,
  report: (refusal: AuthRefusal) => void,
  attempt: { req: Request; res: Response; credential: string; users: readonly string[]; style: ChallengeStyle },
  check: () => boolean,
): Promise<"locked" | "wrong" | "ok"> {
  const { req, res, credential, style } = attempt;
  const identities = { address: clientAddress(req), users: attempt.users };
  const waitMs = await lockout.blockedForMs(identities);
  if (waitMs > 0) {
    report({ credential, address: identities.address, path: req.path, outcome: "locked", lockedMs: waitMs });
    tooManyAttempts(res, waitMs, style);
    return "locked";
  }
  if (check()) return "ok";
  const lockedMs = await lockout.recordFailure(identities);
  report({ credential, address: identities.address, path: req.path, outcome: "wrong", lockedMs });
  return "wrong";
}

/** Builds the guards of every route: one authenticator shared by all route groups. */
export function createAuthenticator(config: DashboardConfig, sessions: SessionCodec, lockout: Lockout, report: (refusal: AuthRefusal) => void) {
  // Every credential the request carries, checked whatever the route takes: a wrong one is never
  // hidden by another header, and each names its identities for the lockout.
  const presented = (req: Request): Presented[] => {
    const found: Presented[] = presentedCronSecrets(req).map(({ form, value }) => {
      const valid = config.cronSecret !== undefined && safeEqual(value, config.cronSecret);
      return { form, valid, ...(valid ? { principal: { kind: "cron" } as const } : {}) };
    });
    const basic = parseBasic(req.headers.authorization);
    if (basic) {
      const user = verifyUser(config.users, basic.name, basic.password);
      found.push({ form: "basic", valid: Boolean(user), user: basic.name, ...(user ? { principal: { kind: "user", name: user.name, role: user.role, via: "basic" } as const } : {}) });
    }
    const session = sessions.inspect(readCookie(req.headers.cookie, SESSION_COOKIE));
    if (session.kind === "forged") found.push({ form: "session", valid: false, ...(session.claimedUser ? { user: session.claimedUser } : {}) });
    if (session.kind === "valid") found.push({ form: "session", valid: true, user: session.session.name, principal: { kind: "user", name: session.session.name, role: session.session.role, via: "session" } });
    return found;
  };

  const accepts = (options: AuthOptions, p: Principal) => (p.kind === "cron" ? options.cronSecret : options.users);

  const guard = async (req: Request, res: Response, next: NextFunction, options: AuthOptions): Promise<void> => {
    const offered = presented(req);
    // A valid session alone cannot be a guess (it is HMAC-signed): it passes even while its user is locked out.
    const guessable = offered.filter((p) => p.form !== "session" || !p.valid);
    if (guessable.length) {
      const credential = offered.map((p) => p.form).join("+");
      const users = offered.flatMap((p) => (p.user ? [p.user] : []));
      const outcome = await throttled(lockout, report, { req, res, credential, users, style: options.style }, () => offered.every((p) => p.valid));
      if (outcome === "locked") return;
      if (outcome === "wrong") {
        if (offered.some((p) => p.form === "session")) res.setHeader("Set-Cookie", clearedSessionCookie());
        return challenge(req, res, options);
      }
    }
    const principal = offered.map((p) => p.principal).find((p): p is Principal => p !== undefined && accepts(options, p)) ?? insecureDevPrincipal(req, config, options);
    if (!principal) return challenge(req, res, options);
    if (principal.kind === "user" && isUnsafeMethod(req)) {
      const reason = crossSiteReason(req, config.hostPolicy);
      if (reason) return void res.status(403).json({ error: `cross-site request refused (${reason})` });
    }
    res.locals.principal = principal;
    next();
  };

  /** Middleware: 401 without valid credentials (or with any wrong one), 429 while locked out, 403 for a cross-site state-changing operator request. */
  return function authenticate(options: AuthOptions): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => void guard(req, res, next, options).catch(next);
  };
}

// Only the developer's own machine: a loopback client that no trusted proxy forwarded from elsewhere.
function insecureDevPrincipal(req: Request, config: DashboardConfig, options: AuthOptions): Principal | undefined {
  if (!options.users || !config.insecureDev || config.users.length > 0) return undefined;
  if (!isLoopbackHost(clientAddress(req)) || req.headers["x-forwarded-for"] !== undefined) return undefined;
  return { kind: "user", name: "dev", role: "admin", via: "insecure-dev" };
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
