import type { Request } from "express";
import { safeEqual } from "./constant-time";
import { crossSiteReason } from "./csrf";
import { SessionCodec, readCookie } from "./session";
import { parseBasic, verifyUser } from "./users";
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
