import type { Request, Response } from "express";
import type { Role } from "../config";

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

/** True for methods that change state, which need CSRF and role checks. */
export function isUnsafeMethod(req: Request): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(req.method);
}
