import { PermanentError, RateLimitedError, TransientError } from "@callastar/errors";
import { startDailyStandin, type DailyStandin } from "@callastar/standins/daily";
import { createDailyClient, INVALID_ROOM_NAME, isRoomNameRefused, type DailyClient } from "./index";

let daily: DailyStandin;
let client: DailyClient;
beforeAll(async () => {
  daily = await startDailyStandin({ domain: "callastar" });
  client = createDailyClient({ apiKey: daily.apiKey, baseUrl: daily.url, domain: daily.domain, timeoutMs: 2000 });
});
afterEach(() => daily.reset());
afterAll(() => daily.close());

describe("Daily client against the stand-in", () => {
  it("creates the booking's room as the seed does, then reads, checks and deletes it", async () => {
    const room = await client.createRoom({
      bookingId: "clx123456789abcdefghijklm",
      privacy: "private",
      properties: { start_audio_off: true, start_video_off: true, enable_recording: "cloud" },
    });
    expect(room).toMatchObject({
      name: "call-clx123456789abcdefghijklm",
      privacy: "private",
      url: "https://callastar.daily.co/call-clx123456789abcdefghijklm",
      config: { start_audio_off: true, start_video_off: true, enable_recording: "cloud" },
    });
    expect(await client.getRoom(room.name)).toEqual(room);
    expect(await client.checkDailyRoomExists(room.name)).toBe(true);
    expect(await client.deleteRoom(room.name)).toEqual({ status: "deleted" });
    expect(daily.rooms.has(room.name)).toBe(false);
    expect(await client.deleteRoom(room.name)).toEqual({ status: "already_deleted" });
    expect(await client.checkDailyRoomExists(room.name)).toBe(false);
    expect(await client.getRoom(room.name)).toBeNull();
  });

  it("creates rooms private by default, and lets Daily name a room when no name is given", async () => {
    const room = await client.createRoom();
    expect(room.privacy).toBe("private");
    expect(daily.rooms.get(room.name)?.id).toBe(room.id);
  });

  it("returns the existing room when a creation is retried", async () => {
    const first = await client.createRoom({ bookingId: "b-retry" });
    const second = await client.createRoom({ bookingId: "b-retry" });
    expect(second).toEqual(first);
    expect(daily.rooms.size).toBe(1);
  });

  it("refuses invalid room names before any request", async () => {
    for (const call of [
      () => client.deleteRoom("bad name"),
      () => client.getRoom("../rooms"),
      () => client.checkDailyRoomExists(""),
      () => client.createRoom({ name: "x".repeat(129) }),
    ]) {
      await expect(call()).rejects.toBeInstanceOf(PermanentError);
    }
    expect(daily.requests).toEqual([]);
  });

  it("reports a name Daily refuses, whether refused here or by Daily's 400, as INVALID_ROOM_NAME", async () => {
    const local = await client.deleteRoom("bad name").catch((e: unknown) => e);
    expect(isRoomNameRefused(local)).toBe(true);
    const strict = await startDailyStandin({ maxNameLength: 20 });
    try {
      const c = createDailyClient({ apiKey: strict.apiKey, baseUrl: strict.url });
      for (const call of [() => c.deleteRoom("call-a-name-longer-than-20"), () => c.getRoom("call-a-name-longer-than-20")]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toMatchObject({ status: 400, code: INVALID_ROOM_NAME });
        expect(isRoomNameRefused(error)).toBe(true);
      }
      // A 401 is the key's fault, not the name's.
      const wrongKey = createDailyClient({ apiKey: "nope", baseUrl: strict.url });
      expect(isRoomNameRefused(await wrongKey.deleteRoom("call-x").catch((e: unknown) => e))).toBe(false);
    } finally {
      await strict.close();
    }
  });

  it("turns 401 into a PermanentError carrying Daily's code", async () => {
    const wrongKey = createDailyClient({ apiKey: "nope", baseUrl: daily.url });
    const error = await wrongKey.checkDailyRoomExists("call-x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ status: 401, code: "authentication-error" });
  });

  it("turns 429 into a RateLimitedError with Retry-After in ms", async () => {
    daily.setFaults({ rateLimitNext: 1, retryAfterSeconds: 3 });
    const error = await client.getRoom("call-x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(3000);
  });

  it("meets the stand-in's DELETE rate limit as RateLimitedError", async () => {
    const results = await Promise.allSettled(["a", "b", "c"].map((n) => client.deleteRoom(`call-${n}`)));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(RateLimitedError);
    expect((rejected[0]?.reason as RateLimitedError).retryAfterMs).toBeGreaterThanOrEqual(1000);
  });

  it("turns 5xx, dropped connections, timeouts and refused connections into TransientError", async () => {
    daily.setFaults({ failNext: 1 });
    await expect(client.deleteRoom("call-x")).rejects.toMatchObject({ name: "TransientError", status: 500 });
    daily.setFaults({ dropNext: 1 });
    await expect(client.getRoom("call-x")).rejects.toMatchObject({ name: "TransientError", code: "network_error" });
    daily.setFaults({ slowMs: 300 });
    const impatient = createDailyClient({ apiKey: daily.apiKey, baseUrl: daily.url, timeoutMs: 50 });
    await expect(impatient.getRoom("call-x")).rejects.toMatchObject({ name: "TransientError", code: "ETIMEDOUT" });
    daily.setFaults({ slowMs: 0 });
    const closed = await startDailyStandin();
    await closed.close();
    const nowhere = createDailyClient({ apiKey: "k", baseUrl: closed.url });
    await expect(nowhere.getRoom("call-x")).rejects.toBeInstanceOf(TransientError);
  });

  it("turns a 200 with a body that is not JSON into a TransientError saying so", async () => {
    daily.setFaults({ malformedNext: 1 });
    const error = await client.getRoom("call-x").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/not JSON: <html>/);
  });
});
