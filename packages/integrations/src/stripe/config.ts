/** Where the SDK sends requests, in the three options stripe-node understands. */
export interface StripeEndpoint {
  host: string;
  port: number;
  protocol: "http" | "https";
}

/**
 * Turns an API base such as `http://127.0.0.1:12111` into stripe-node's host/port/protocol options:
 * stripe 23 reads no environment variable for its host, and always adds the `/v1/...` path itself.
 */
export function parseStripeApiBase(apiBase: string): StripeEndpoint {
  let url: URL;
  try {
    url = new URL(apiBase);
  } catch (cause) {
    throw new TypeError(`Stripe apiBase '${apiBase}' is not a URL`, { cause });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new TypeError(`Stripe apiBase '${apiBase}' must be http or https`);
  if (url.pathname !== "/" || url.search !== "") throw new TypeError(`Stripe apiBase '${apiBase}' must not carry a path: the SDK adds /v1 itself`);
  const protocol = url.protocol === "http:" ? "http" : "https";
  return { host: url.hostname, port: url.port ? Number(url.port) : protocol === "http" ? 80 : 443, protocol };
}
