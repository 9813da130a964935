import { startResendStandin } from "./server";
import type { ResendStandin, ResendStandinOptions } from "./types";

const email = { from: "Call a Star <noreply@callastar.test>", to: "fan@example.com", subject: "Hi", html: "<p>Hi</p>" };

let standin: ResendStandin;
const open: ResendStandin[] = [];

async function start(options: ResendStandinOptions = {}): Promise<ResendStandin> {
  const s = await startResendStandin({ rateLimitPerSecond: 0, ...options });
  open.push(s);
  return s;
}

function post(path: string, body: unknown, headers: Record<string, string> = {}, target = standin): Promise<Response> {
  return fetch(`${target.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${target.apiKey}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

beforeEach(async () => {
  standin = await start();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe("auth", () => {
  it("answers 401 missing_api_key without a bearer token", async () => {
    const res = await fetch(`${standin.url}/emails`, { method: "POST", body: JSON.stringify(email) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ statusCode: 401, name: "missing_api_key", message: "Missing API key in the authorization header." });
  });

  it("answers 403 invalid_api_key for a wrong key and records nothing", async () => {
    const res = await post("/emails", email, { authorization: "Bearer re_wrong" });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ statusCode: 403, name: "invalid_api_key" });
    expect(standin.deliveries).toHaveLength(0);
  });

  it("accepts a custom api key", async () => {
    const custom = await start({ apiKey: "re_custom" });
    expect(custom.apiKey).toBe("re_custom");
    expect((await post("/emails", email, {}, custom)).status).toBe(200);
  });
});

describe("POST /emails", () => {
  it("accepts an email, records it and serves it back on GET /emails/:id", async () => {
    const res = await post("/emails", { ...email, to: ["a@example.com", "B <b@example.com>"], text: "Hi", reply_to: "help@callastar.test", tags: [{ name: "template", value: "booking_reminder_client" }] }, { "idempotency-key": "k-1" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const { id } = (await res.json()) as { id: string };
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(standin.deliveries).toHaveLength(1);
    const delivery = standin.deliveries[0];
    expect(delivery).toMatchObject({ id, from: email.from, to: ["a@example.com", "B <b@example.com>"], subject: "Hi", html: "<p>Hi</p>", text: "Hi", replyTo: ["help@callastar.test"], idempotencyKey: "k-1", endpoint: "/emails" });
    expect(delivery?.headers["idempotency-key"]).toBe("k-1");
    expect(delivery?.headers.authorization).toBeUndefined();
    expect(Date.parse(delivery?.receivedAt ?? "")).not.toBeNaN();

    const got = await fetch(`${standin.url}/emails/${id}`, { headers: { authorization: `Bearer ${standin.apiKey}` } });
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ object: "email", id, to: ["a@example.com", "B <b@example.com>"], subject: "Hi", last_event: "delivered" });
  });

  it("answers 404 for an unknown email id, an unknown path, and 405 for a wrong method", async () => {
    const auth = { authorization: `Bearer ${standin.apiKey}` };
    const missing = await fetch(`${standin.url}/emails/nope`, { headers: auth });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ name: "not_found" });
    expect((await fetch(`${standin.url}/domains`, { headers: auth })).status).toBe(404);
    const wrong = await fetch(`${standin.url}/emails`, { headers: auth });
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toMatchObject({ name: "method_not_allowed" });
  });

  it.each([
    [{ ...email, to: undefined }, 422, "missing_required_field", "`to`"],
    [{ ...email, from: undefined }, 422, "missing_required_field", "`from`"],
    [{ ...email, subject: "" }, 422, "missing_required_field", "`subject`"],
    [{ ...email, html: undefined }, 422, "validation_error", "`html` or `text`"],
    [{ ...email, from: "not an address" }, 422, "validation_error", "`from`"],
    [{ ...email, to: Array.from({ length: 51 }, (_, i) => `u${i}@example.com`) }, 422, "validation_error", "`to`"],
    [{ ...email, tags: [{ name: "bad tag!", value: "x" }] }, 422, "validation_error", "`tags`"],
  ])("refuses %j with %i %s naming the field", async (body, status, name, field) => {
    const res = await post("/emails", body);
    expect(res.status).toBe(status);
    const json = (await res.json()) as { statusCode: number; name: string; message: string };
    expect(json).toMatchObject({ statusCode: status, name });
    expect(json.message).toContain(field);
    expect(standin.deliveries).toHaveLength(0);
  });

  it("accepts exactly 50 recipients", async () => {
    const res = await post("/emails", { ...email, to: Array.from({ length: 50 }, (_, i) => `u${i}@example.com`) });
    expect(res.status).toBe(200);
  });

  it("answers 400 validation_error to a body that is not JSON", async () => {
    const res = await post("/emails", "{not json");
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ name: "validation_error" });
  });
});

describe("POST /emails/batch", () => {
  it("sends every email and answers { data: [{ id }] }", async () => {
    const res = await post("/emails/batch", [email, { ...email, to: "other@example.com" }]);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: Array<{ id: string }> };
    expect(body.data).toHaveLength(2);
    expect(standin.deliveries.map((d) => d.id)).toEqual(body.data.map((d) => d.id));
    expect(standin.deliveries.every((d) => d.endpoint === "/emails/batch")).toBe(true);
  });

  it("refuses the whole batch in strict mode when one email is invalid", async () => {
    const res = await post("/emails/batch", [email, { ...email, subject: undefined }]);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toBe("emails[1]: Missing `subject` field.");
    expect(standin.deliveries).toHaveLength(0);
  });

  it("sends the valid ones and lists the errors in permissive mode", async () => {
    const res = await post("/emails/batch", [email, { ...email, subject: undefined }], { "x-batch-validation": "permissive" });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: unknown[]; errors: Array<{ index: number; message: string }> };
    expect(body.data).toHaveLength(1);
    expect(body.errors).toEqual([{ index: 1, message: "Missing `subject` field." }]);
    expect(standin.deliveries).toHaveLength(1);
  });

  it("refuses more than 100 emails and a body that is not an array", async () => {
    expect((await post("/emails/batch", Array.from({ length: 101 }, () => email))).status).toBe(422);
    expect((await post("/emails/batch", email)).status).toBe(422);
    expect(standin.deliveries).toHaveLength(0);
  });

  it("replays a batch sent again with the same idempotency key", async () => {
    const first = await (await post("/emails/batch", [email], { "idempotency-key": "batch-1" })).json();
    const again = await post("/emails/batch", [email], { "idempotency-key": "batch-1" });
    expect(await again.json()).toEqual(first);
    expect(standin.deliveries).toHaveLength(1);
  });
});
