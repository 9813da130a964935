import type { Request } from "express";

/**
 * Why a state-changing browser request is refused as cross-site, or undefined when it is allowed.
 * Browsers send Origin on every non-GET fetch and form post (and Sec-Fetch-Site where supported), so a
 * same-origin check is enough; a request with neither Origin nor Referer is not from a browser page
 * (curl, scripts) and carries no ambient credentials an attacker could borrow.
 */
export function crossSiteReason(req: Request): string | undefined {
  const host = req.headers.host;
  const fetchSite = req.headers["sec-fetch-site"];
  if (fetchSite === "cross-site" || fetchSite === "same-site") return `Sec-Fetch-Site is ${fetchSite}`;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (origin === "null") return "Origin is null";
    return hostOf(origin) === host ? undefined : "Origin does not match Host";
  }
  const referer = req.headers.referer;
  if (referer !== undefined) return hostOf(referer) === host ? undefined : "Referer does not match Host";
  return undefined;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
