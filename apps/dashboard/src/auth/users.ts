import type { DashboardUser } from "../config";
import { safeEqual } from "./constant-time";

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
