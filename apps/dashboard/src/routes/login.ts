import express, { type Router } from "express";
import type { DashboardConfig } from "../config";
import { crossSiteReason } from "../auth/csrf";
import { sessionCookie, SESSION_COOKIE, type SessionCodec } from "../auth/session";
import { verifyUser } from "../auth/users";
import { html, page } from "../views/html";
import type { Request, RequestHandler, Response } from "express";
import { clientAddress, tooManyAttempts, type AuthRefusal } from "../auth/authenticate";
import type { AuthThrottle } from "../auth/throttle";

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
  throttle: AuthThrottle,
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
    const reason = crossSiteReason(req); // login CSRF: a foreign page must not sign the browser in
    if (reason) return void res.status(403).json({ error: `cross-site request refused (${reason})` });
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const name = typeof body.username === "string" ? body.username : "";
    const password = typeof body.password === "string" ? body.password : "";
    const attempt = { address: clientAddress(req), user: name || undefined };
    const waitMs = await throttle.blockedForMs(attempt);
    if (waitMs > 0) {
      report({ credential: "login", address: attempt.address, path: req.path, outcome: "locked", lockedMs: waitMs });
      return tooManyAttempts(res, waitMs, "page");
    }
    const user = name && password ? verifyUser(config.users, name, password) : undefined;
    if (!user) {
      const lockedMs = await throttle.recordFailure(attempt);
      report({ credential: "login", address: attempt.address, path: req.path, outcome: "wrong", lockedMs });
      return void res.status(401).type("html").send(loginPage(next, "Wrong user name or password."));
    }
    const cookie = sessions.issue(user);
    res.setHeader("Set-Cookie", sessionCookie(cookie.value, cookie.maxAgeSeconds, config.secureCookies));
    res.redirect(303, next);
  };

  router.post("/logout", requireUser, (_req, res) => {
    res.setHeader("Set-Cookie", `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.redirect(303, "/login");
  });

  return router;
}
