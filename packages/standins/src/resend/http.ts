import type { IncomingMessage, ServerResponse } from "node:http";
import type { StandinAnswer } from "./errors";

/** Resend refuses emails above 40 MB (attachments included). */
const MAX_BODY_BYTES = 40 * 1024 * 1024;

/** Reads a request body; null when it is larger than `limit` (the rest is drained, not kept). */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(buffer);
  }
  return tooLarge ? null : Buffer.concat(chunks).toString("utf8");
}

/** Parses JSON, telling "no body" (undefined) and "not JSON" (an Error) apart. */
export function parseJson(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** Writes a JSON answer. */
export function writeAnswer(res: ServerResponse, answer: StandinAnswer): void {
  const body = answer.status === 204 ? "" : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    ...answer.headers,
  });
  res.end(body);
}

/** Request headers, lower-cased, one string each, with the secret ones removed. */
export function safeHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === "authorization" || value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
