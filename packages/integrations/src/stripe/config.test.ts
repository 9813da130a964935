import { parseStripeApiBase } from "./config";

describe("parseStripeApiBase", () => {
  it("splits an API base into stripe-node's host, port and protocol", () => {
    expect(parseStripeApiBase("http://127.0.0.1:12111")).toEqual({ host: "127.0.0.1", port: 12111, protocol: "http" });
    expect(parseStripeApiBase("https://api.stripe.com")).toEqual({ host: "api.stripe.com", port: 443, protocol: "https" });
    expect(parseStripeApiBase("http://localhost/")).toEqual({ host: "localhost", port: 80, protocol: "http" });
  });

  it("refuses what the SDK could not use", () => {
    expect(() => parseStripeApiBase("127.0.0.1:12111")).toThrow(/must be http or https|not a URL/);
    expect(() => parseStripeApiBase("ftp://x")).toThrow(/http or https/);
    expect(() => parseStripeApiBase("http://x/v1")).toThrow(/must not carry a path/);
  });
});
