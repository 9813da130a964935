// The resend SDK builds every request (path, JSON body, Authorization, User-Agent, Idempotency-Key)
// and then hands it to the global fetch. On Node 20 fetch (undici + WHATWG streams) costs ~0.5 ms
// of CPU more per request than node:http on a keep-alive agent — measured as the largest single
// cost of the email worker (39 % of its CPU in the reminders benchmark). This subclass keeps the
// SDK's request building and its `{ data, error, headers }` contract, and replaces only the HTTP
// exchange through the SDK's public `fetchRequest` seam.
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
    const agentOptions = { keepAlive: true, maxFreeSockets: options.maxFreeSockets ?? 16 };
    this.agent = tls ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = tls ? httpsRequest : httpRequest;
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  override fetchRequest<T>(path: string, options: SdkRequest = {}): Promise<SdkResult<T>> {
    const body = typeof options.body === "string" ? options.body : undefined;
    if (options.body !== undefined && body === undefined) {
      // Only FormData uploads (not used by this project) take this path: let fetch handle them.
      return super.fetchRequest<T>(path, options);
    }
    return new Promise((resolve) => {
      const failed = (error: ErrorResponse, headers: Record<string, string> | null) => resolve({ data: null, error, headers });
      const unreachable = () => failed({ name: "application_error", statusCode: null, message: UNREACHABLE }, null);
      let req: ReturnType<typeof httpRequest>;
      try {
        req = this.send(`${this.baseUrl}${path}`, {
          method: options.method ?? "GET",
          headers: requestHeaders(options.headers, body),
          agent: this.agent,
          ...(options.signal && { signal: options.signal }),
        });
      } catch {
        unreachable();
        return;
      }
      req.on("error", unreachable); // refused, reset, aborted by the signal: as the SDK reports a fetch rejection
      req.on("response", (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", unreachable);
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          const headers = flatHeaders(res.headers);
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            // A 2xx that is not JSON made the SDK's response.json() throw into its catch-all.
            if (status >= 200 && status < 300) unreachable();
            else failed({ name: "application_error", statusCode: status, message: NOT_JSON }, headers);
            return;
          }
          // As the SDK does, the body is trusted to be the documented shape; callers parse `data`.
          if (status >= 200 && status < 300) resolve({ data: parsed as T, error: null, headers });
          else failed(parsed as ErrorResponse, headers);
        });
      });
      req.end(body);
    });
  }
}
