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
