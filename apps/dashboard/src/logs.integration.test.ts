import { basic, creds, useDashboard } from "./testing/harness";

const env = useDashboard();
const auth = { authorization: basic(creds.viewer) };

// Runs after useDashboard's beforeAll, which started the env.services().
beforeAll(async () => {
  const { logger } = env.services();
  await logger.logEmailSent("bk_alpha", "user_1", "booking_reminder_client");
  await logger.logEmailError("bk_alpha", "user_2", "booking_reminder_creator", new Error("Resend said 422\n    at send (mailer.ts:1)"));
  await logger.logDailyRoomDeleted("room-alpha", "bk_alpha");
  await logger.logCronRun("send-booking-reminders", 2, 40, {});
  await logger.logSystemError("<script>alert(1)</script> broke", new Error("boom"), { bookingId: "bk_other" });
});

const get = (path: string) => fetch(`${env.dash().base}${path}`, { headers: auth });

describe("GET /api/logs", () => {
  it("applies the getRecentLogs filters", async () => {
    const res = await get("/api/logs?type=EMAIL_ERROR&bookingId=bk_alpha&limit=10");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { logs: { type: string; context: Record<string, unknown> }[] };
    expect(body.logs).toHaveLength(1);
    expect(body.logs[0]).toMatchObject({ type: "EMAIL_ERROR", context: expect.objectContaining({ bookingId: "bk_alpha" }) });
    const all = (await (await get("/api/logs?bookingId=bk_alpha")).json()) as { logs: unknown[] };
    expect(all.logs).toHaveLength(3);
  });

  it.each([
    ["type=NOPE", "type"],
    ["status=WARN", "status"],
    ["limit=0", "limit"],
    ["limit=5000", "limit"],
    ["limit=ten", "limit"],
    ["offset=-1", "offset"],
    ["startDate=yesterday", "startDate"],
    ["startDate=2026-01-02&endDate=2026-01-01", "endDate"],
    // Dates PostgreSQL (or ISO text) cannot hold, and dates that do not exist, were 500s or silently moved.
    ["startDate=0000-01-01", "startDate"],
    ["endDate=9999-12-31T23:59:59Z", "endDate"],
    ["startDate=2026-02-30", "startDate"],
    ["startDate=2026-01-31T24:00:00Z", "startDate"],
    ["bookingId=a%20b", "bookingId"],
    ["colour=blue", "colour"],
    ["type=EMAIL_SENT&type=EMAIL_ERROR", "type"],
  ])("?%s → 400 naming %s", async (query, param) => {
    const res = await get(`/api/logs?${query}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: { param: string; message: string }[] };
    expect(body.issues.map((i) => i.param)).toContain(param);
    expect(body.error).toContain(param);
  });
});

describe("GET /api/logs/stats", () => {
  it("returns getLogStats for the range", async () => {
    const body = (await (await get(`/api/logs/stats?startDate=${new Date(Date.now() - 3600_000).toISOString()}`)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ totalLogs: 5, errorLogs: 2, emails: { sent: 1, errors: 1, successRate: "50.00" }, crons: { runs: 1, errors: 0 } });
    for (const bad of ["startDate=0000-01-01", "endDate=9999-12-31T23:59:59Z", "startDate=2026-02-30"]) {
      const res = await get(`/api/logs/stats?${bad}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain(bad.split("=")[0]);
    }
    expect((await get("/api/logs/stats?startDate=soon")).status).toBe(400);
  });
});

describe("GET /logs", () => {
  it("shows the 7-day cards and the recent errors, escaped", async () => {
    const res = await get("/logs");
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("Emails failed");
    expect(page).toMatch(/Success rate<\/div><div class="value">60\.00%/);
    expect(page).toContain("Resend said 422");
    expect(page).not.toContain("at send (mailer.ts:1)</summary>"); // only the error's first line is shown folded
    expect(page).not.toContain("<script>alert(1)</script>");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("filters through the query string and rejects bad values with a message naming the parameter", async () => {
    const page = await (await get("/logs?type=CRON_RUN")).text();
    expect(page).toContain('id="search-results"');
    expect(page).toContain("send-booking-reminders");
    const bad = await get("/logs?status=maybe");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("status must be one of SUCCESS, ERROR");
    const outOfRange = await get("/logs?startDate=0000-01-01");
    expect(outOfRange.status).toBe(400);
    expect(await outOfRange.text()).toContain("startDate must be between 0001-01-01 and 9998-12-31");
  });

  it("the booking page lists every row of the booking and its reminder job with its state", async () => {
    await env.dash().producer.scheduleBookingReminder({ bookingId: "bk_alpha", callDateTime: new Date(Date.now() + 3600_000) });
    const res = await get("/logs/booking/bk_alpha");
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("Log rows (3)");
    expect(page).toContain("DAILY_ROOM_DELETED");
    expect(page).toContain("reminder-bk_alpha");
    expect(page).toContain(">delayed<");
    const redirect = await fetch(`${env.dash().base}/logs/booking?bookingId=bk_alpha`, { headers: auth, redirect: "manual" });
    expect(redirect.headers.get("location")).toBe("/logs/booking/bk_alpha");
    expect((await get("/logs/booking/bad%20id")).status).toBe(400);
  });
});
