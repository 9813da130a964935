import { errorText, MAX_ERROR_TEXT } from "./error-text";
import { flatRecordJson, isSecretKey, toSafeJson } from "./safe-json";

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

describe("flatRecordJson (the hot path) writes what the full walk writes", () => {
  const full = (value: object) => JSON.stringify(toSafeJson(value));
  it("serializes flat records of storable primitives directly", () => {
    const samples: object[] = [
      {},
      { bookingId: "b1", userId: null, amount: 12.5, ok: true, skipped: false },
      { emailType: "x", optional: undefined, n: -0, big: 1e21, unicode: "é 🕒 \u2028" },
      Object.assign(Object.create(null) as object, { a: 1 }),
    ];
    for (const sample of samples) {
      expect(flatRecordJson(sample)).toBe(full(sample));
    }
  });

  it("declines (undefined) whatever needs the walk: secrets, nesting, non-finite numbers, unstorable text, class instances, getters that throw", () => {
    const throwing = Object.defineProperty({}, "x", { enumerable: true, get: () => { throw new Error("no"); } });
    const declined: object[] = [
      { apiKey: "sk_live" },
      { nested: { a: 1 } },
      { list: [1, 2] },
      { when: new Date(0) },
      { n: Number.NaN },
      { n: Infinity },
      { s: "nul\u0000byte" },
      { s: "lone \uD800 surrogate" },
      { ["bad\uDC00key"]: 1 },
      { big: 10n },
      { fn: () => 1 },
      new (class Point { x = 1; })(),
      throwing,
    ];
    for (const sample of declined) expect(flatRecordJson(sample)).toBeUndefined();
  });

  it("agrees with the walk on 2,000 generated records", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const keys = ["bookingId", "userId", "token", "count", "nested", "when", "note", "password", "ok"];
    const values = [() => "text", () => rand() * 100, () => null, () => undefined, () => true, () => ({ a: 1 }), () => new Date(0), () => "x\u0000", () => Number.NaN];
    // Which records may take the fast path, decided independently of the code under test: no secret
    // key, and only finite numbers, booleans, null, undefined and NUL-free strings as values.
    const secret = new Set(["token", "password"]);
    const eligible = (record: Record<string, unknown>) =>
      Object.entries(record).every(
        ([key, v]) =>
          !secret.has(key) &&
          (v === null || v === undefined || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)) || (typeof v === "string" && !v.includes("\u0000"))),
      );
    let fastCount = 0;
    let expectedFast = 0;
    for (let i = 0; i < 2000; i++) {
      const record: Record<string, unknown> = {};
      for (const key of keys) if (rand() < 0.5) record[key] = values[Math.floor(rand() * values.length)]!();
      const fast = flatRecordJson(record);
      if (eligible(record)) expectedFast++;
      if (fast !== undefined) {
        fastCount++;
        expect(fast).toBe(full(record));
      }
      expect(fast === undefined).toBe(!eligible(record));
    }
    expect(fastCount).toBe(expectedFast);
    // Both paths were really exercised by the sample.
    expect(fastCount).toBeGreaterThan(50);
    expect(fastCount).toBeLessThan(1950);
  });
});
