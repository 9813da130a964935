import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PermanentError } from "@callastar/errors";
import type { MailMessage, MailTransport, SendOptions } from "./types";

/** Options of {@link createConsoleTransport}. */
export interface ConsoleTransportOptions {
  /** Directory where each email is written as `<key-hash>.html` + `<key-hash>.json`; created if missing. */
  dir?: string;
  /** Receives the one-line summary of each new email; default: standard output. */
  write?: (line: string) => void;
}

/** What the `.json` file beside each `.html` holds. */
export interface ConsoleEmailRecord {
  id: string;
  idempotencyKey: string;
  fingerprint: string;
  createdAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  replyTo?: string | string[];
  tags?: Array<{ name: string; value: string }>;
  htmlFile?: string;
}

function fingerprintOf(message: MailMessage): string {
  const { from, to, subject, html, text, replyTo, tags } = message;
  return createHash("sha256").update(JSON.stringify([from, to, subject, html, text, replyTo ?? null, tags ?? null])).digest("hex");
}

function conflict(key: string): PermanentError {
  // Same rule as Resend: one key, one email; reusing it for other content is a caller bug.
  return new PermanentError(`Idempotency key ${key} was already used for a different email`, { code: "invalid_idempotent_request" });
}

// Duck-typed: errors from node:fs may come from another realm (jest's vm), where instanceof Error fails.
function isNodeError(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

/**
 * A development transport: prints a summary line, and with `dir` writes each email to disk so it can be
 * opened in a browser. Honours idempotency keys like Resend (same key → same id, nothing written twice),
 * across processes too when `dir` is shared, since the file name is derived from the key.
 */
export function createConsoleTransport(options: ConsoleTransportOptions = {}): MailTransport {
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const sent = new Map<string, { id: string; fingerprint: string }>();

  async function persist(record: ConsoleEmailRecord, html: string, dir: string): Promise<ConsoleEmailRecord> {
    await mkdir(dir, { recursive: true });
    const base = createHash("sha256").update(record.idempotencyKey).digest("hex").slice(0, 24);
    const jsonPath = join(dir, `${base}.json`);
    const htmlFile = `${base}.html`;
    try {
      const existing = JSON.parse(await readFile(jsonPath, "utf8")) as ConsoleEmailRecord;
      return existing;
    } catch (error) {
      if (!isNodeError(error, "ENOENT")) throw error;
    }
    // The .json is the commit marker, created exclusively: of two processes racing on one key, one wins.
    await writeFile(join(dir, htmlFile), html);
    try {
      await writeFile(jsonPath, JSON.stringify({ ...record, htmlFile }, null, 2), { flag: "wx" });
      return record;
    } catch (error) {
      if (!isNodeError(error, "EEXIST")) throw error;
      return JSON.parse(await readFile(jsonPath, "utf8")) as ConsoleEmailRecord;
    }
  }

  return {
    name: "console",
    async send(message: MailMessage, sendOptions: SendOptions): Promise<{ id: string }> {
      const key = sendOptions.idempotencyKey;
      if (!key) throw new PermanentError("An idempotency key is required", { code: "invalid_idempotency_key" });
      const fingerprint = fingerprintOf(message);
      const known = sent.get(key);
      if (known) {
        if (known.fingerprint !== fingerprint) throw conflict(key);
        return { id: known.id };
      }
      const to = Array.isArray(message.to) ? message.to : [message.to];
      let record: ConsoleEmailRecord = {
        id: randomUUID(),
        idempotencyKey: key,
        fingerprint,
        createdAt: new Date().toISOString(),
        from: message.from,
        to,
        subject: message.subject,
        text: message.text,
        ...(message.replyTo !== undefined && { replyTo: message.replyTo }),
        ...(message.tags !== undefined && { tags: message.tags }),
      };
      const fresh = record.id;
      if (options.dir) record = await persist(record, message.html, options.dir);
      if (record.fingerprint !== fingerprint) throw conflict(key);
      sent.set(key, { id: record.id, fingerprint });
      if (record.id === fresh) {
        const where = options.dir && record.htmlFile ? ` → ${join(options.dir, record.htmlFile)}` : "";
        write(`[email] ${record.id} to ${to.join(", ")}: ${message.subject} (key ${key})${where}`);
      }
      return { id: record.id };
    },
  };
}
