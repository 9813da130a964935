import { createHash, timingSafeEqual } from "node:crypto";
import type { Request } from "express";
import type { DashboardUser } from "../config";

/**
 * Constant-time string equality. Both sides are hashed first so timingSafeEqual always compares 32
 * bytes: neither the content nor the length of the secret leaks through response time.
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

/** Parses `Authorization: Basic …`; undefined when absent or malformed. */
export function parseBasic(header: string | undefined): { name: string; password: string } | undefined {
  if (!header) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The account matching name and password, or undefined. Every account is compared, whatever
 * matched, so the time taken does not tell which user names exist.
 */
export function verifyUser(users: readonly DashboardUser[], name: string, password: string): DashboardUser | undefined {
  let found: DashboardUser | undefined;
  for (const user of users) {
    const nameOk = safeEqual(name, user.name);
    const passwordOk = safeEqual(password, user.password);
    if (nameOk && passwordOk && !found) found = user;
  }
  return found;
}

/** The cron secrets a request presents: `x-cron-secret` and `Authorization: Bearer`, each one counted. */
export function presentedCronSecrets(req: Request): { form: "x-cron-secret" | "bearer"; value: string }[] {
  const secrets: { form: "x-cron-secret" | "bearer"; value: string }[] = [];
  const header = req.headers["x-cron-secret"];
  // Present at all, even empty or repeated, is an attempt.
  if (header !== undefined) secrets.push({ form: "x-cron-secret", value: Array.isArray(header) ? header.join(",") : header });
  const authorization = req.headers.authorization ?? "";
  if (/^Bearer(\s|$)/i.test(authorization)) secrets.push({ form: "bearer", value: authorization.replace(/^Bearer\s*/i, "").trim() });
  return secrets;
}
