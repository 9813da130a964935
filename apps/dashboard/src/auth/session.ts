import { createHmac, randomBytes } from "node:crypto";
import type { DashboardUser, Role } from "../config";
import { safeEqual } from "./credentials";

/** Name of the session cookie. */
export const SESSION_COOKIE = "callastar_session";

/** What a valid session cookie carries. */
export interface Session {
  name: string;
  role: Role;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** What a session cookie turned out to be (see SessionCodec.inspect). */
export type SessionCheck =
  | { kind: "absent" }
  | { kind: "valid"; session: Session }
  | { kind: "expired" }
  | { kind: "forged"; claimedUser?: string };

/** Signs and verifies session cookies with HMAC-SHA256 over DASHBOARD_SESSION_SECRET. */
export class SessionCodec {
  private readonly key: string;

  constructor(
    secret: string | undefined,
    private readonly users: readonly DashboardUser[],
    private readonly ttlSeconds = 8 * 3600,
  ) {
    // Development without a secret: a per-process key, so sessions simply end at restart.
    this.key = secret ?? randomBytes(32).toString("hex");
  }

  /** The cookie value for `user`, valid for the configured lifetime. */
  issue(user: DashboardUser, now = Date.now()): { value: string; maxAgeSeconds: number } {
    const payload: Session = { name: user.name, role: user.role, exp: Math.floor(now / 1000) + this.ttlSeconds };
    const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return { value: `${body}.${this.sign(body, user)}`, maxAgeSeconds: this.ttlSeconds };
  }

  /** The session of a cookie value, or undefined when forged, expired, or its account changed. */
  verify(value: string | undefined, now = Date.now()): Session | undefined {
    const result = this.inspect(value, now);
    return result.kind === "valid" ? result.session : undefined;
  }

  /**
   * What a cookie value is: a valid session; an expired one of ours (a browser's stale cookie, not a
   * guess); or a bad signature, with the user name it claims.
   */
  inspect(value: string | undefined, now = Date.now()): SessionCheck {
    if (!value) return { kind: "absent" };
    const dot = value.indexOf(".");
    const body = dot > 0 ? value.slice(0, dot) : "";
    let session: Partial<Session> | undefined;
    try {
      session = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Partial<Session>;
    } catch {
      session = undefined;
    }
    const claimed = typeof session?.name === "string" ? session.name : undefined;
    const user = this.users.find((u) => u.name === claimed && u.role === session?.role);
    if (!session || !user || !safeEqual(value.slice(dot + 1), this.sign(body, user))) {
      // Indistinguishable from a cookie signed before a password change; the 401 clears it, so a stale one counts once.
      return { kind: "forged", ...(claimed ? { claimedUser: claimed } : {}) };
    }
    if (typeof session.exp !== "number" || session.exp * 1000 <= now) return { kind: "expired" };
    return { kind: "valid", session: session as Session };
  }

  // The user's password is part of the key: changing it in the environment revokes their sessions.
  private sign(body: string, user: DashboardUser): string {
    return createHmac("sha256", this.key).update(`${user.password}\n${body}`).digest("base64url");
  }
}

/** The value of cookie `name` in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** A Set-Cookie header value for the session (HttpOnly, SameSite=Strict, Path=/). */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${SESSION_COOKIE}=${value}`, "Path=/", "HttpOnly", "SameSite=Strict", `Max-Age=${maxAgeSeconds}`, ...(secure ? ["Secure"] : [])].join("; ");
}

/** A Set-Cookie header value that removes the session cookie. */
export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}
