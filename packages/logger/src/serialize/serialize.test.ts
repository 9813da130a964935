import { errorText, MAX_ERROR_TEXT } from "./error-text";
import { isSecretKey, toSafeJson } from "./safe-json";

describe("errorText", () => {
  it("keeps the stack, then each cause", () => {
    const text = errorText(new Error("top", { cause: new TypeError("bottom") }));
    expect(text).toMatch(/^Error: top\n {4}at /);
    expect(text).toMatch(/\nCaused by: TypeError: bottom\n {4}at /);
  });

  it("falls back to name: message without a stack", () => {
    const e = new RangeError("no stack");
    e.stack = undefined;
    expect(errorText(e)).toBe("RangeError: no stack");
  });

  it("survives cyclic causes, AggregateErrors and throwing getters", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(errorText(b)).toContain("Caused by: [Circular cause]");
    expect(errorText(new AggregateError([new Error("one"), "two"], "many"))).toMatch(/many[\s\S]*\[0\] Error: one[\s\S]*\[1\] two/);
    const weird = Object.defineProperty(new Error("w"), "status", { enumerable: true, get: () => { throw new Error("nope"); } });
    expect(errorText(weird)).toContain("Error: w");
  });

  it("serializes non-Errors and caps huge texts with an explicit marker", () => {
    expect(errorText(null)).toBe("null");
    expect(errorText({ a: 1 })).toBe('{"a":1}');
    expect(errorText(Symbol("s"))).toBe("Symbol(s)");
    const huge = errorText("x".repeat(MAX_ERROR_TEXT + 10));
    expect(huge).toMatch(/…\[truncated 10 chars\]$/);
  });
});

describe("toSafeJson", () => {
  it("recognises secret keys case-insensitively", () => {
    for (const k of ["password", "PASSWORD", "clientSecret", "accessToken", "apiKey", "api_key", "x-api-key", "Authorization", "set-cookie", "credentials", "private_key", "privateKey"]) {
      expect(isSecretKey(k)).toBe(true);
    }
    for (const k of ["bookingId", "userId", "recipientEmail", "amount"]) expect(isSecretKey(k)).toBe(false);
  });

  it("is idempotent on plain JSON and honours toJSON", () => {
    const plain = { a: [1, "b", null, { c: true }] };
    expect(toSafeJson(plain)).toEqual(plain);
    expect(toSafeJson({ url: new URL("https://x.test/a") })).toEqual({ url: "https://x.test/a" });
    expect(toSafeJson([undefined, () => 1])).toEqual([null, null]);
  });

  it("does not confuse shared references with cycles", () => {
    const shared = { v: 1 };
    expect(toSafeJson({ a: shared, b: shared })).toEqual({ a: { v: 1 }, b: { v: 1 } });
  });
});
