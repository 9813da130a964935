import type { AuthThrottleOptions } from "./auth/throttle";

/** A role of a human operator: admins act on jobs, viewers only look. */
export type Role = "admin" | "viewer";

/** One operator account from the environment. */
export interface DashboardUser {
  name: string;
  password: string;
  role: Role;
}

/** What createDashboardApp needs to know about security; built by env.ts, or by tests. */
export interface DashboardConfig {
  users: DashboardUser[];
  /** Bearer secret of /api/cron and of scripts; cron routes answer 401 to everyone when unset. */
  cronSecret: string | undefined;
  /** HMAC key of session cookies; a random per-process key when unset (development only). */
  sessionSecret: string | undefined;
  /** Adds `Secure` to the session cookie (production, behind TLS). */
  secureCookies: boolean;
  /** Development without credentials: every human request is treated as an admin. Loudly warned. */
  insecureDev: boolean;
  /** Session lifetime in seconds (default 8 h). */
  sessionTtlSeconds?: number;
  /** Failed credential attempts allowed per client address and per user name per window (default 10 per 900 s). */
  authThrottle?: AuthThrottleOptions;
}
