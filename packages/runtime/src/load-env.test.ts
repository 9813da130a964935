import { z } from "zod";
import { EnvError, envFields, loadEnv } from "./load-env";

const problems = (shape: z.ZodObject, source: Record<string, string>): string => {
  try {
    loadEnv(shape, source);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as EnvError).problems.join("\n");
  }
  return "";
};

describe("URL forms", () => {
  const shape = z.object({
    STRIPE_API_BASE: envFields.originUrl("http://127.0.0.1:12111", "the Stripe SDK adds /v1 itself").optional(),
    DAILY_API_URL: envFields.apiBaseUrl("/v1", "https://api.daily.co/v1").optional(),
  });

  it("an origin field refuses a path, naming the variable and the expected form", () => {
    expect(problems(shape, { STRIPE_API_BASE: "http://127.0.0.1:12111/v1" })).toBe(
      "STRIPE_API_BASE: must be an origin without a path, such as http://127.0.0.1:12111 (the Stripe SDK adds /v1 itself)",
    );
    expect(problems(shape, { STRIPE_API_BASE: "ftp://x" })).toMatch(/^STRIPE_API_BASE: must be an http\(s\) URL/);
    expect(problems(shape, { STRIPE_API_BASE: "http://127.0.0.1:12111" })).toBe("");
  });

  it("an API base field needs its version path", () => {
    expect(problems(shape, { DAILY_API_URL: "https://api.daily.co" })).toMatch(/^DAILY_API_URL: must include the API version path \/v1/);
    expect(problems(shape, { DAILY_API_URL: "http://127.0.0.1:9000/v1/" })).toBe("");
  });
});

describe("NODE_ENV", () => {
  it("is production when unset, and refuses anything but the three modes", () => {
    const shape = z.object({ NODE_ENV: envFields.nodeEnv });
    expect(loadEnv(shape, {}).NODE_ENV).toBe("production");
    expect(problems(shape, { NODE_ENV: "prod" })).toBe("NODE_ENV: must be development, test or production");
  });
});

describe("LOG_LEVEL", () => {
  it("is info when unset, and names the accepted levels otherwise", () => {
    const shape = z.object({ LOG_LEVEL: envFields.logLevel });
    expect(loadEnv(shape, {}).LOG_LEVEL).toBe("info");
    expect(loadEnv(shape, { LOG_LEVEL: "debug" }).LOG_LEVEL).toBe("debug");
    expect(problems(shape, { LOG_LEVEL: "verbose" })).toBe("LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent");
  });
});

describe("values that used to slip through or crash the check", () => {
  it("a malformed URL is named once, never thrown by a later refinement", () => {
    const shape = z.object({ DAILY_API_URL: envFields.apiBaseUrl("/v1", "https://api.daily.co/v1"), STRIPE_API_BASE: envFields.originUrl("http://x", "why") });
    expect(problems(shape, { DAILY_API_URL: "notaurl", STRIPE_API_BASE: "notaurl" })).toBe(
      "DAILY_API_URL: must be an http(s) URL such as https://api.daily.co/v1\nSTRIPE_API_BASE: must be an http(s) URL such as http://x",
    );
  });

  it("a sender is an address, bare or in Resend's Name <address> form", () => {
    const shape = z.object({ EMAIL_FROM: envFields.sender("Call a Star <noreply@callastar.com>") });
    for (const ok of ["noreply@callastar.com", "Call a Star <noreply@callastar.com>", "\"Star, Call\" <a@b.co>"]) expect(problems(shape, { EMAIL_FROM: ok })).toBe("");
    for (const bad of ["not-an-address", "Call a Star", "Call a Star <not-an-address>", "<a@b.co", "a@b.co b@c.co"]) {
      expect(problems(shape, { EMAIL_FROM: bad })).toBe("EMAIL_FROM: must be an email address or 'Name <address>', such as 'Call a Star <noreply@callastar.com>'");
    }
  });

  it("a number that is not one says so, and an API key names its form", () => {
    expect(problems(z.object({ N: envFields.positiveInt(1) }), { N: "soon" })).toBe("N: must be a number");
    const key = z.object({ K: envFields.apiKey("the Stripe secret key", 8, ["sk_", "rk_"]) });
    expect(problems(key, {})).toBe("K: is required (the Stripe secret key)");
    expect(problems(key, { K: "pk_live_123456" })).toBe("K: must start with sk_ or rk_ (the Stripe secret key)");
    expect(problems(key, { K: "sk_1" })).toMatch(/^K: must be at least 8 characters/);
  });

  it("every problem is on one line", () => {
    const error = new EnvError(["A: bad", "B: worse"]);
    expect(error.message).toBe("Invalid configuration: A: bad; B: worse");
  });
});
