import type { LockoutOptions } from "./auth/lockout";
import type { HostPolicy } from "./http/request-origin";

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
  authThrottle?: LockoutOptions;
  /** Which Host names are served, and which Origin may change state (default: any Host, same-origin changes). */
  hostPolicy?: HostPolicy;
  /** TRUST_PROXY: addresses, CIDRs or proxy-addr range names whose X-Forwarded-For is believed (default: none). */
  trustProxy?: readonly string[];
}
