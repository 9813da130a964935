import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PermanentError } from "@callastar/errors";
import { createConsoleTransport } from "./console";
import type { MailMessage } from "./types";

const message: MailMessage = { from: "noreply@callastar.test", to: "fan@example.com", subject: "Hello", html: "<p>Hello</p>", text: "Hello" };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "console-transport-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

it("prints a one-line summary and returns an id", async () => {
  const lines: string[] = [];
  const transport = createConsoleTransport({ write: (line) => lines.push(line) });
  const { id } = await transport.send(message, { idempotencyKey: "k1" });
  expect(transport.name).toBe("console");
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  expect(lines).toEqual([`[email] ${id} to fan@example.com: Hello (key k1)`]);
});

it("honours the idempotency key: same key, same id, printed once", async () => {
  const lines: string[] = [];
  const transport = createConsoleTransport({ write: (line) => lines.push(line) });
  const a = await transport.send(message, { idempotencyKey: "k1" });
  const b = await transport.send(message, { idempotencyKey: "k1" });
  const c = await transport.send(message, { idempotencyKey: "k2" });
  expect(b.id).toBe(a.id);
  expect(c.id).not.toBe(a.id);
  expect(lines).toHaveLength(2);
});

it("refuses the same key for different content, like Resend", async () => {
  const transport = createConsoleTransport({ write: () => undefined });
  await transport.send(message, { idempotencyKey: "k1" });
  await expect(transport.send({ ...message, subject: "Other" }, { idempotencyKey: "k1" })).rejects.toBeInstanceOf(PermanentError);
});

it("writes .html and .json files, once per key, even across transport instances sharing the directory", async () => {
  const first = createConsoleTransport({ dir, write: () => undefined });
  const { id } = await first.send(message, { idempotencyKey: "reminder:b1:client" });
  const files = (await readdir(dir)).sort();
  expect(files).toHaveLength(2);
  const html = files.find((f) => f.endsWith(".html")) ?? "";
  const json = files.find((f) => f.endsWith(".json")) ?? "";
  expect(await readFile(join(dir, html), "utf8")).toBe("<p>Hello</p>");
  expect(JSON.parse(await readFile(join(dir, json), "utf8"))).toMatchObject({ id, idempotencyKey: "reminder:b1:client", to: ["fan@example.com"], subject: "Hello" });

  const lines: string[] = [];
  const second = createConsoleTransport({ dir, write: (line) => lines.push(line) });
  expect((await second.send(message, { idempotencyKey: "reminder:b1:client" })).id).toBe(id);
  expect(await readdir(dir)).toHaveLength(2);
  expect(lines).toEqual([]);
});

it("keeps one email when two instances race on one key", async () => {
  const [a, b] = await Promise.all([
    createConsoleTransport({ dir, write: () => undefined }).send(message, { idempotencyKey: "race" }),
    createConsoleTransport({ dir, write: () => undefined }).send(message, { idempotencyKey: "race" }),
  ]);
  expect(a.id).toBe(b.id);
  expect(await readdir(dir)).toHaveLength(2);
});
