import type { Request } from "express";
import { crossSiteReason, isLoopbackHost, trustProxyEntryProblem } from "../http/request-origin";
import { parseBasic, safeEqual, verifyUser } from "./credentials";
import { SessionCodec, readCookie } from "./session";
import type { DashboardUser } from "../config";

const users: DashboardUser[] = [
  { name: "admin", password: "admin-pass-123", role: "admin" },
  { name: "viewer", password: "viewer-pass-123", role: "viewer" },
];

describe("credentials", () => {
  it("safeEqual compares any lengths", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abcd")).toBe(false);
    expect(safeEqual("", "x")).toBe(false);
  });

  it("parses Basic and keeps colons in passwords", () => {
    const header = `Basic ${Buffer.from("admin:pa:ss").toString("base64")}`;
    expect(parseBasic(header)).toEqual({ name: "admin", password: "pa:ss" });
    expect(parseBasic("Bearer x")).toBeUndefined();
    expect(parseBasic(`Basic ${Buffer.from("nocolon").toString("base64")}`)).toBeUndefined();
  });

  it("verifyUser matches name and password together", () => {
    expect(verifyUser(users, "viewer", "viewer-pass-123")?.role).toBe("viewer");
    expect(verifyUser(users, "viewer", "admin-pass-123")).toBeUndefined();
  });
});

describe("sessions", () => {
  const codec = new SessionCodec("k".repeat(40), users, 60);

  it("round-trips, and refuses tampering, expiry, and a changed password", () => {
    const { value } = codec.issue(users[1] as DashboardUser, 1_000_000);
    expect(codec.verify(value, 1_000_000)).toMatchObject({ name: "viewer", role: "viewer" });
    const [body, sig] = value.split(".") as [string, string];
    const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, "base64url").toString()), role: "admin" })).toString("base64url");
    expect(codec.verify(`${elevated}.${sig}`, 1_000_000)).toBeUndefined();
    expect(codec.verify(value, 1_000_000 + 61_000)).toBeUndefined();
    // Expired is a stale cookie, not a guess; a bad signature is a guess against the user it names.
    expect(codec.inspect(value, 1_000_000 + 61_000)).toEqual({ kind: "expired" });
    expect(codec.inspect(`${elevated}.${sig}`, 1_000_000)).toEqual({ kind: "forged", claimedUser: "viewer" });
    expect(codec.inspect("garbage", 1_000_000)).toEqual({ kind: "forged" });
    const changed = new SessionCodec("k".repeat(40), [{ name: "viewer", password: "new-password-1", role: "viewer" }]);
    expect(changed.verify(value, 1_000_000)).toBeUndefined();
    expect(new SessionCodec("other".repeat(8), users).verify(value, 1_000_000)).toBeUndefined();
  });

  it("reads a cookie among others", () => {
    expect(readCookie("a=1; callastar_session=xyz.abc; b=2", "callastar_session")).toBe("xyz.abc");
    expect(readCookie(undefined, "a")).toBeUndefined();
  });
});

describe("crossSiteReason", () => {
  const request = (headers: Record<string, string>) => ({ headers: { host: "ops.example:3000", ...headers } }) as unknown as Request;
  it("allows same origin and non-browser clients, refuses foreign origins", () => {
    expect(crossSiteReason(request({ origin: "http://ops.example:3000" }))).toBeUndefined();
    expect(crossSiteReason(request({}))).toBeUndefined();
    expect(crossSiteReason(request({ origin: "http://evil.example" }))).toMatch(/Origin/);
    expect(crossSiteReason(request({ origin: "null" }))).toMatch(/null/);
    expect(crossSiteReason(request({ referer: "http://evil.example/page" }))).toMatch(/Referer/);
    expect(crossSiteReason(request({ "sec-fetch-site": "cross-site", origin: "http://ops.example:3000" }))).toMatch(/Sec-Fetch-Site/);
  });
});

describe("crossSiteReason with a public origin", () => {
  const request = (headers: Record<string, string>) => ({ headers: { host: "ops.example", ...headers } }) as unknown as Request;
  const policy = { kind: "public", origin: "https://ops.example" } as const;
  it("accepts that exact origin only (scheme included)", () => {
    expect(crossSiteReason(request({ origin: "https://ops.example" }), policy)).toBeUndefined();
    expect(crossSiteReason(request({ origin: "http://ops.example" }), policy)).toMatch(/DASHBOARD_PUBLIC_ORIGIN/);
    expect(crossSiteReason(request({ referer: "https://evil.example/x" }), policy)).toMatch(/DASHBOARD_PUBLIC_ORIGIN/);
  });
});

describe("request origins", () => {
  it("knows loopback names in every spelling", () => {
    for (const host of ["localhost", "app.localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1", "LOCALHOST"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example", "10.0.0.1", "", undefined]) expect(isLoopbackHost(host)).toBe(false);
  });

  it("TRUST_PROXY entries: addresses, CIDRs and proxy-addr's named ranges", () => {
    for (const entry of ["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8", "loopback", "uniquelocal"]) expect(trustProxyEntryProblem(entry)).toBeUndefined();
    expect(trustProxyEntryProblem("proxy.internal")).toMatch(/not an IP address/);
    expect(trustProxyEntryProblem("10.0.0.0/33")).toMatch(/prefix length/);
    expect(trustProxyEntryProblem("10.0.0.0/8/1")).toMatch(/not an IP address/);
  });
});
