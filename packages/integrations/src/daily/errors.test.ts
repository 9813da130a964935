import { PermanentError, RateLimitedError, TransientError } from "@callastar/errors";
import { dailyErrorFor, parseDailyBody } from "./errors";
import { dailyRoomSchema } from "./schemas";

const answer = (status: number, body: unknown, retryAfter: string | null = null) => ({ status, body, text: JSON.stringify(body), retryAfter });

describe("dailyErrorFor", () => {
  it("classifies by status and keeps Daily's error code", () => {
    const limited = dailyErrorFor("DELETE /rooms/x", answer(429, { error: "rate-limit-error" }, "3"));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).toBe(3000);
    expect(dailyErrorFor("GET /rooms/x", answer(503, {}))).toBeInstanceOf(TransientError);
    const denied = dailyErrorFor("GET /rooms/x", answer(401, { error: "authentication-error", info: "bad key" }));
    expect(denied).toBeInstanceOf(PermanentError);
    expect(denied).toMatchObject({ status: 401, code: "authentication-error", message: "Daily GET /rooms/x answered 401 (authentication-error: bad key)" });
  });
});

describe("parseDailyBody", () => {
  it("names what is wrong in a body of the wrong shape, as a TransientError", () => {
    const wrong = answer(200, { id: "1", name: "r", api_created: true, privacy: "private", url: "not a url", created_at: "x" });
    const parse = () => parseDailyBody("GET /rooms/r", dailyRoomSchema, wrong);
    expect(parse).toThrow(TransientError);
    expect(parse).toThrow(/url: .*; config: /);
  });
});
