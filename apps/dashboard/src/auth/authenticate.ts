import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { DashboardConfig } from "../config";
import { safeEqual } from "./constant-time";
import { crossSiteReason } from "./csrf";
import { isUnsafeMethod, type Principal } from "./principal";
import { SESSION_COOKIE, readCookie, type SessionCodec } from "./session";
import { parseBasic, verifyUser } from "./users";
import { escapeHtml } from "../views/html";
import { isLoopbackHost } from "../http/loopback";

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

/** Builds the guards of every route: one authenticator shared by all route groups. */
export function createAuthenticator(config: DashboardConfig, sessions: SessionCodec) {
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

  /** Middleware: 401 without valid credentials, 403 for a cross-site state-changing operator request. */
  return function authenticate(options: AuthOptions): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const principal = resolve(req, options);
      if (!principal) return challenge(req, res, options);
      if (principal.kind === "user" && isUnsafeMethod(req)) {
        const reason = crossSiteReason(req);
        if (reason) return void res.status(403).json({ error: `cross-site request refused (${reason})` });
      }
      res.locals.principal = principal;
      next();
    };
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
