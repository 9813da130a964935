import express, { type Router } from "express";
import type { Request, RequestHandler, Response } from "express";
import type { DashboardConfig, DashboardUser } from "../config";
import { throttled, type AuthRefusal } from "../auth/authenticate";
import { verifyUser } from "../auth/credentials";
import type { Lockout } from "../auth/lockout";
import { clearedSessionCookie, sessionCookie, type SessionCodec } from "../auth/session";
import { crossSiteReason } from "../http/request-origin";
import { html, page } from "../views/html";

/** Only local paths, so the login form cannot be used as an open redirect. */
function safeNext(value: unknown): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.includes("\\")) return "/logs";
  return value;
}

function loginPage(next: string, error?: string): string {
  return page(
    "Sign in",
    html`<h1>Sign in</h1>
      ${error ? html`<p class="error-box">${error}</p>` : ""}
      <form method="post" action="/login" class="filters" style="flex-direction:column;align-items:stretch;max-width:340px">
        <input type="hidden" name="next" value="${next}">
        <label>User<input name="username" autocomplete="username" required autofocus></label>
        <label>Password<input name="password" type="password" autocomplete="current-password" required></label>
        <button class="primary" type="submit">Sign in</button>
      </form>`,
  );
}

/**
 * GET /login (the form: the one public page besides /healthz; it shows nothing), POST /login
 * (sets the signed session cookie), POST /logout (behind `requireUser`; clears it).
 */
export function loginRoutes(
  config: DashboardConfig,
  sessions: SessionCodec,
  requireUser: RequestHandler,
  lockout: Lockout,
  report: (refusal: AuthRefusal) => void,
): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: "4kb" });

  router.get("/login", (req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.type("html").send(loginPage(safeNext(req.query.next)));
  });

  router.post("/login", form, (req, res, nextHandler) => void signIn(req, res).catch(nextHandler));

  const signIn = async (req: Request, res: Response): Promise<void> => {
    res.setHeader("Cache-Control", "no-store");
    const reason = crossSiteReason(req, config.hostPolicy); // login CSRF: a foreign page must not sign the browser in
    if (reason) return void res.status(403).json({ error: `cross-site request refused (${reason})` });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const name = typeof body.username === "string" ? body.username : "";
    const password = typeof body.password === "string" ? body.password : "";
    let user: DashboardUser | undefined;
    const check = () => (user = name && password ? verifyUser(config.users, name, password) : undefined) !== undefined;
    const outcome = await throttled(lockout, report, { req, res, credential: "login", users: name ? [name] : [], style: "page" }, check);
    if (outcome === "locked") return;
    if (!user) return void res.status(401).type("html").send(loginPage(next, "Wrong user name or password."));
    const cookie = sessions.issue(user);
    res.setHeader("Set-Cookie", sessionCookie(cookie.value, cookie.maxAgeSeconds, config.secureCookies));
    res.redirect(303, next);
  };

  router.post("/logout", requireUser, (_req, res) => {
    res.setHeader("Set-Cookie", clearedSessionCookie());
    res.redirect(303, "/login");
  });

  return router;
}
