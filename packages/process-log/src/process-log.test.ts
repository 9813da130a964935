import { Writable } from "node:stream";
import { createProcessLog, type ProcessLogOptions } from "./create-process-log";
import { scrubText, secretsOf } from "./scrub";
import { serializeError } from "./serialize-error";

/** A logger writing into an array of lines, as stdout would receive them. */
function capture(options: Omit<ProcessLogOptions, "destination">) {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split("\n").filter(Boolean));
      done();
    },
  });
  return { log: createProcessLog({ ...options, destination }), lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe("createProcessLog", () => {
  it("writes one JSON object per line with app, level name, ISO time, msg and the child's bindings", () => {
    const { log, json } = capture({ app: "email-worker" });
    log.child({ queue: "emails", jobId: "email-1", jobName: "send-email", attempt: 2, bookingId: "b1" }).warn({ final: false }, "job failed; will retry");
    const [line] = json();
    expect(line).toMatchObject({ app: "email-worker", level: "warn", msg: "job failed; will retry", queue: "emails", jobId: "email-1", jobName: "send-email", attempt: 2, bookingId: "b1", final: false });
    expect(new Date(line!.time as string).toISOString()).toBe(line!.time);
  });

  it("writes nothing below its level", () => {
    const { log, lines } = capture({ app: "a", level: "warn" });
    log.info("hidden");
    log.debug("hidden");
    log.warn("shown");
    expect(lines).toHaveLength(1);
  });

  it("redacts secret-named fields, at the top level, one level down and in headers", () => {
    const { log, json } = capture({ app: "a" });
    log.info({ password: "p1-value", config: { apiKey: "k1-value", token: "t1-value" }, req: { headers: { authorization: "Bearer abc", "x-cron-secret": "c1-value" } } }, "m");
    const text = JSON.stringify(json()[0]);
    for (const value of ["p1-value", "k1-value", "t1-value", "abc", "c1-value"]) expect(text).not.toContain(value);
    expect(json()[0]).toMatchObject({ password: "[redacted]", config: { apiKey: "[redacted]", token: "[redacted]" } });
  });

  it("replaces every configured secret wherever it appears: message, fields, JSON-escaped and URL-encoded forms", () => {
    const secret = 'sEcr3t"value/with?chars';
    const { log, lines } = capture({ app: "a", secrets: [secret] });
    log.info({ note: `a ${secret} b`, url: `https://x.test/?q=${encodeURIComponent(secret)}` }, `message ${secret}`);
    expect(lines[0]).not.toContain("sEcr3t");
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "message [redacted]", note: "a [redacted] b" });
  });

  it("scrubs pretty (development) lines too, and they are not JSON", () => {
    const { log, lines } = capture({ app: "a", pretty: true, secrets: ["pretty-secret-value"] });
    log.info("starts with pretty-secret-value and postgres://u:pw-in-url@db:5432/x");
    const text = lines.join("\n");
    expect(text).toContain("starts with [redacted]");
    expect(text).not.toContain("pw-in-url");
    expect(() => {
      JSON.parse(lines[0]!);
    }).toThrow();
  });
});

describe("serializeError", () => {
  it("keeps type, message, stack, codes and causes, and drops headers, raw bodies and options", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED to redis://:redis-pw@10.0.0.1:6379"), { code: "ECONNREFUSED", options: { password: "opt-pw" } });
    const error = Object.assign(new Error("Stripe said no", { cause }), {
      type: "StripeCardError",
      statusCode: 402,
      headers: { authorization: "Bearer sk_test_abcdef123456" },
      raw: { headers: { "request-id": "req_1" }, message: "raw body" },
      config: { databaseUrl: "postgres://u:db-pw@h/x" },
    });
    const out = serializeError(error);
    expect(out).toMatchObject({ type: "Error", message: "Stripe said no", statusCode: 402, cause: { code: "ECONNREFUSED" } });
    const text = JSON.stringify(out);
    for (const value of ["sk_test_abcdef123456", "raw body", "db-pw", "redis-pw", "opt-pw"]) expect(text).not.toContain(value);
  });

  it("describes a thrown non-error", () => {
    expect(serializeError("plain failure")).toEqual({ type: "string", message: "plain failure" });
  });

  it("is the logger's serializer for err", () => {
    const { log, json } = capture({ app: "a" });
    log.error({ err: Object.assign(new Error("boom"), { response: { headers: { authorization: "Bearer leaked-token" } } }) }, "failed");
    expect(JSON.stringify(json()[0])).not.toContain("leaked-token");
    expect(json()[0]).toMatchObject({ err: { type: "Error", message: "boom" } });
  });
});

describe("scrubText", () => {
  it("hides URL passwords, bearer and basic tokens, provider key shapes and key=value secrets", () => {
    expect(scrubText("postgres://postgres:hunter2@db:5432/app")).toBe("postgres://postgres:[redacted]@db:5432/app");
    expect(scrubText("redis://:s3cret@cache:6379")).toBe("redis://:[redacted]@cache:6379");
    expect(scrubText("Authorization: Bearer abc.def")).toBe("Authorization: Bearer [redacted]");
    expect(scrubText("key sk_live_51Habc and re_AbCdEfGh12345")).toBe("key [redacted] and [redacted]");
    expect(scrubText("GET /x?api_key=zzz&x=1")).toBe("GET /x?api_key=[redacted]&x=1");
    expect(scrubText("postgres://postgres@db:5432/app")).toBe("postgres://postgres@db:5432/app");
  });
});

describe("secretsOf", () => {
  it("takes variables named like secrets and the passwords inside URLs, nothing else", () => {
    const secrets = secretsOf({
      RESEND_API_KEY: "rk-1",
      CRON_SECRET: "cs-1",
      DASHBOARD_ADMIN_PASSWORD: "pw-1",
      DATABASE_URL: "postgres://u:p%40ss@h/db",
      REDIS_URL: "redis://h:6379",
      QUEUE_PREFIX: "bull",
      PORT: 3000,
    });
    expect(secrets.sort()).toEqual(["cs-1", "p%40ss", "p@ss", "pw-1", "rk-1"]);
  });

  it("looks into nested config objects and camelCase names", () => {
    const secrets = secretsOf({ databaseUrl: "postgres://u:pg-pw@h/db", config: { cronSecret: "cron-1", users: [{ name: "admin", password: "admin-pw" }], bypass: "x" } });
    expect(secrets.sort()).toEqual(["admin-pw", "cron-1", "pg-pw", "pg-pw"]);
  });
});
