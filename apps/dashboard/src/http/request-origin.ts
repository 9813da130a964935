// Where a request comes from and which name it was sent to: the client address (through trusted
// proxies only), the Host the dashboard answers to, and the same-origin check of state changes.
import { isIP } from "node:net";
import type { Request, RequestHandler } from "express";

/** Which `Host` names the dashboard answers to. */
export type HostPolicy =
  /** Development: loopback names only, so a web page cannot reach the board by DNS rebinding. */
  | { kind: "loopback" }
  /** Production with DASHBOARD_PUBLIC_ORIGIN: that origin's host only, and state changes from that origin only. */
  | { kind: "public"; origin: string }
  /** Production without a configured origin: any Host; state changes must come from the Host they were sent to. */
  | { kind: "any" };

/** True for 127.0.0.0/8, ::1 and localhost (and their IPv4-mapped or bracketed forms): names no other host can use. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  let h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h.startsWith("::ffff:")) h = h.slice(7);
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** The client's address: the socket's, or the one X-Forwarded-For names through TRUST_PROXY's hops (express' `trust proxy`). */
export function clientAddress(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? "unknown";
}

const NAMED_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** Why one TRUST_PROXY entry is not an address, a CIDR or a named range of proxy-addr, or undefined when it is. */
export function trustProxyEntryProblem(entry: string): string | undefined {
  if (NAMED_RANGES.has(entry)) return undefined;
  const [address = "", bits, ...rest] = entry.split("/");
  const family = isIP(address);
  if (!family || rest.length) return `"${entry}" is not an IP address, a CIDR (10.0.0.0/8) or one of ${[...NAMED_RANGES].join(", ")}`;
  if (bits === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d+$/.test(bits) || Number(bits) > max) return `"${entry}" has a prefix length outside 0..${max}`;
  return undefined;
}

/** Answers 421 to a request sent to a name the policy does not serve (DNS rebinding, a stray vhost). */
export function hostGuard(policy: HostPolicy): RequestHandler {
  if (policy.kind === "any") return (_req, _res, next) => next();
  const expected = policy.kind === "public" ? new URL(policy.origin).host : undefined;
  return (req, res, next) => {
    const host = req.host ?? "";
    const served = expected === undefined ? isLoopbackHost(req.hostname) : host.toLowerCase() === expected;
    if (served) return next();
    const why = expected === undefined ? "in development the dashboard answers only to localhost, 127.0.0.1 or [::1]" : `the dashboard answers only to ${expected} (DASHBOARD_PUBLIC_ORIGIN)`;
    res.status(421).type("text/plain").send(`Host ${JSON.stringify(host)} is not served: ${why}\n`);
  };
}

/**
 * Why a state-changing browser request is refused as cross-site, or undefined when it is allowed.
 * Browsers send Origin on every non-GET fetch and form post (and Sec-Fetch-Site where supported), so a
 * same-origin check is enough; a request with neither Origin nor Referer is not from a browser page
 * (curl, scripts) and carries no ambient credentials an attacker could borrow.
 */
export function crossSiteReason(req: Request, policy: HostPolicy = { kind: "any" }): string | undefined {
  const fetchSite = req.headers["sec-fetch-site"];
  if (fetchSite === "cross-site" || fetchSite === "same-site") return `Sec-Fetch-Site is ${fetchSite}`;
  const sameOrigin = (url: string): boolean => {
    const parsed = urlOf(url);
    if (!parsed) return false;
    return policy.kind === "public" ? parsed.origin === new URL(policy.origin).origin : parsed.host === req.headers.host;
  };
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (origin === "null") return "Origin is null";
    return sameOrigin(origin) ? undefined : policy.kind === "public" ? "Origin is not DASHBOARD_PUBLIC_ORIGIN" : "Origin does not match Host";
  }
  const referer = req.headers.referer;
  if (referer !== undefined) return sameOrigin(referer) ? undefined : policy.kind === "public" ? "Referer is not DASHBOARD_PUBLIC_ORIGIN" : "Referer does not match Host";
  return undefined;
}

function urlOf(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** True for methods that change state, which need CSRF and role checks. */
export function isUnsafeMethod(req: Request): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(req.method);
}
