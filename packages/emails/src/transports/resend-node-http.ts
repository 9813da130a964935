// Keeps the resend SDK's request building and `{ data, error, headers }` contract, but sends over
// node:http with a keep-alive agent (the SDK's `fetchRequest` seam): fetch costs far more CPU per request.
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Resend, type ErrorResponse, type Response as SdkResult } from "resend";

/** What the SDK passes to fetchRequest (a fetch RequestInit it built itself). */
interface SdkRequest {
  method?: string;
  headers?: Headers | Record<string, string>;
  body?: unknown;
  signal?: AbortSignal;
}

// The SDK's own messages for the failures it reports instead of throwing.
const UNREACHABLE = "Unable to fetch data. The request could not be resolved.";
const NOT_JSON = "Internal server error. We are unable to process your request right now, please try again later.";

function unreachable<T>(): SdkResult<T> {
  return { data: null, error: { name: "application_error", statusCode: null, message: UNREACHABLE }, headers: null };
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function requestHeaders(headers: SdkRequest["headers"], body: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers instanceof Headers) headers.forEach((value, name) => (out[name] = value));
  else if (headers) Object.assign(out, headers);
  if (body !== undefined) out["content-length"] = String(Buffer.byteLength(body));
  return out;
}

/** Options of {@link NodeHttpResend}. */
export interface NodeHttpResendOptions {
  baseUrl: string;
  /** Sockets kept open per origin for reuse (default 16). */
  maxFreeSockets?: number;
}

/** The resend SDK over node:http(s) with a keep-alive agent instead of fetch; same results. */
export class NodeHttpResend extends Resend {
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(key: string, options: NodeHttpResendOptions) {
    super(key, { baseUrl: options.baseUrl });
    const tls = new URL(options.baseUrl).protocol === "https:";
    // Idle sockets are closed after 4 s, before a server with Node's default 5 s keep-alive would.
    const agentOptions = { keepAlive: true, maxFreeSockets: options.maxFreeSockets ?? 16, timeout: 4_000 };
    this.agent = tls ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = tls ? httpsRequest : httpRequest;
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  override async fetchRequest<T>(path: string, options: SdkRequest = {}): Promise<SdkResult<T>> {
    const body = typeof options.body === "string" ? options.body : undefined;
    if (options.body !== undefined && body === undefined) {
      // Only FormData uploads (not used by this project) take this path: let fetch handle them.
      return super.fetchRequest<T>(path, options);
    }
    const headers = requestHeaders(options.headers, body);
    const exchange = await this.exchange<T>(path, options, headers, body);
    // A kept-alive socket the server closed while idle fails the next request on it before the
    // server reads anything. Sending again on a fresh socket is what fetch does too; it is safe for
    // requests that carry an Idempotency-Key (every send here) and for reads.
    const replayable = "idempotency-key" in headers || ["GET", "HEAD", "DELETE"].includes(options.method ?? "GET");
    const settled = exchange.kind === "stale-socket" && replayable ? await this.exchange<T>(path, options, headers, body) : exchange;
    return settled.kind === "answer" ? settled.result : unreachable<T>();
  }

  private exchange<T>(
    path: string,
    options: SdkRequest,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<{ kind: "answer"; result: SdkResult<T> } | { kind: "stale-socket" | "failed" }> {
    return new Promise((resolve) => {
      const answer = (result: SdkResult<T>) => resolve({ kind: "answer", result });
      let req: ReturnType<typeof httpRequest>;
      try {
        req = this.send(`${this.baseUrl}${path}`, {
          method: options.method ?? "GET",
          headers,
          agent: this.agent,
          ...(options.signal && { signal: options.signal }),
        });
      } catch {
        resolve({ kind: "failed" });
        return;
      }
      // Refused, reset, aborted by the signal: the SDK reports a fetch rejection as unreachable.
      req.on("error", (error: NodeJS.ErrnoException) => {
        const stale = req.reusedSocket && !options.signal?.aborted && (error.code === "ECONNRESET" || error.code === "EPIPE");
        resolve({ kind: stale ? "stale-socket" : "failed" });
      });
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", () => resolve({ kind: "failed" }));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const responseHeaders = flatHeaders(res.headers);
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            // A 2xx that is not JSON made the SDK's response.json() throw into its catch-all.
            if (status >= 200 && status < 300) resolve({ kind: "failed" });
            else answer({ data: null, error: { name: "application_error", statusCode: status, message: NOT_JSON }, headers: responseHeaders });
            return;
          }
          // As the SDK does, the body is trusted to be the documented shape; callers parse `data`.
          if (status >= 200 && status < 300) answer({ data: parsed as T, error: null, headers: responseHeaders });
          else answer({ data: null, error: parsed as ErrorResponse, headers: responseHeaders });
        });
      });
      req.end(body);
    });
  }
}
