import { PermanentError } from "@callastar/errors";
import { assertValidRoomName, dailyRoomNameForBooking, DAILY_ROOM_NAME_PATTERN, DERIVED_NAME_BUDGET } from "./room-name";

describe("dailyRoomNameForBooking", () => {
  it("is call-<id> for a cuid, as the main app names rooms", () => {
    expect(dailyRoomNameForBooking("clx123456789abcdefghijklm", "callastar")).toBe("call-clx123456789abcdefghijklm");
  });

  it("fits domain + name in the budget, keeps the charset, and stays deterministic for long ids", () => {
    const id = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b";
    const name = dailyRoomNameForBooking(id, "callastar");
    expect(name).toMatch(DAILY_ROOM_NAME_PATTERN);
    expect(name.startsWith("call-3f2b8c1e")).toBe(true);
    expect("callastar".length + name.length).toBeLessThanOrEqual(DERIVED_NAME_BUDGET);
    expect(dailyRoomNameForBooking(id, "callastar")).toBe(name);
  });

  it("keeps ids that truncate or sanitize alike apart", () => {
    const a = dailyRoomNameForBooking("3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b", "callastar");
    const b = dailyRoomNameForBooking("3f2b8c1e-9a4d-4e6f-8b7a-000000000000", "callastar");
    expect(a).not.toBe(b);
    const dotted = dailyRoomNameForBooking("a.b");
    expect(dotted).toMatch(DAILY_ROOM_NAME_PATTERN);
    expect(dotted).not.toBe(dailyRoomNameForBooking("a_b"));
    expect(dailyRoomNameForBooking("a_b")).toBe("call-a_b");
  });

  it("keeps a usable length under a long domain, and refuses an empty id", () => {
    expect(dailyRoomNameForBooking("x".repeat(60), "a-very-long-daily-domain-name-indeed").length).toBe(20);
    expect(() => dailyRoomNameForBooking("  ")).toThrow(PermanentError);
  });
});

describe("assertValidRoomName", () => {
  it("accepts Daily's charset up to 128 characters and refuses the rest", () => {
    expect(() => assertValidRoomName("call-abc_DEF-123")).not.toThrow();
    expect(() => assertValidRoomName("x".repeat(128))).not.toThrow();
    for (const bad of ["", "has space", "slash/name", "dot.name", "é", "x".repeat(129)]) {
      expect(() => assertValidRoomName(bad)).toThrow(PermanentError);
    }
  });
});
