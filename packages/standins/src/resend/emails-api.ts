import { randomUUID } from "node:crypto";
import { resendErrors, type StandinAnswer } from "./errors";
import { parseJson, sleep } from "./http";
import { canonicalJson, MAX_IDEMPOTENCY_KEY_LENGTH } from "./idempotency";
import type { StandinState } from "./state";
import type { ResendDelivery } from "./types";
import { validateEmail, type ValidEmail } from "./validate";

/** Resend's limit on emails per `POST /emails/batch`. */
export const MAX_BATCH_SIZE = 100;

/** A route's answer; `drop` destroys the socket instead of answering, `delayed` says slowMs was already spent. */
export interface RouteOutcome {
  answer: StandinAnswer;
  drop?: boolean;
  delayed?: boolean;
}

/** One send request, as the HTTP layer hands it over. */
export interface SendRequest {
  endpoint: "/emails" | "/emails/batch";
  rawBody: string;
  headers: Record<string, string>;
}

function deliveryOf(email: ValidEmail, request: SendRequest, key: string | null, at: number): ResendDelivery {
  return { id: randomUUID(), ...email, headers: request.headers, idempotencyKey: key, endpoint: request.endpoint, receivedAt: new Date(at).toISOString() };
}

/** Validates and records the body of a send; the answer Resend would give. */
function execute(state: StandinState, request: SendRequest, body: unknown, key: string | null): StandinAnswer {
  const at = state.now();
  if (request.endpoint === "/emails") {
    const check = validateEmail(body);
    if (!check.ok) return check.answer;
    const delivery = deliveryOf(check.email, request, key, at);
    state.record(delivery);
    return { status: 200, body: { id: delivery.id } };
  }
  if (!Array.isArray(body)) return resendErrors.validation("Invalid request body. Expected an array of emails.");
  if (body.length === 0) return resendErrors.validation("Invalid request body. The batch must contain at least one email.");
  if (body.length > MAX_BATCH_SIZE) {
    return resendErrors.validation(`Too many emails in the batch: at most ${MAX_BATCH_SIZE} are allowed.`);
  }
  const permissive = request.headers["x-batch-validation"] === "permissive";
  const checks = body.map((email) => validateEmail(email, { batch: true }));
  if (!permissive) {
    // Strict mode (the default): one invalid email refuses the whole batch and nothing is sent.
    const index = checks.findIndex((check) => !check.ok);
    const failed = checks[index];
    if (failed && !failed.ok) {
      const inner = failed.answer.body as { statusCode: number; name: string; message: string };
      return { status: failed.answer.status, body: { ...inner, message: `emails[${index}]: ${inner.message}` } };
    }
  }
  const data: Array<{ id: string }> = [];
  const errors: Array<{ index: number; message: string }> = [];
  checks.forEach((check, index) => {
    if (!check.ok) {
      errors.push({ index, message: (check.answer.body as { message: string }).message });
      return;
    }
    const delivery = deliveryOf(check.email, request, key, at);
    state.record(delivery);
    data.push({ id: delivery.id });
  });
  return { status: 200, body: permissive ? { data, errors } : { data } };
}

/** `POST /emails` and `POST /emails/batch`, with Resend's idempotency-key semantics around them. */
export async function handleSend(state: StandinState, request: SendRequest): Promise<RouteOutcome> {
  const key = request.headers["idempotency-key"];
  if (key !== undefined && (key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
    return { answer: resendErrors.invalidIdempotencyKey() };
  }
  const body = parseJson(request.rawBody);
  if (body instanceof Error) return { answer: resendErrors.invalidJson() };
  if (key === undefined) {
    await sleep(state.faults.slowMs);
    const answer = execute(state, request, body, null);
    return { answer, delayed: true, drop: answer.status === 200 && state.faults.dropAfterAccept() };
  }
  const verdict = state.idempotency.begin(state.apiKey, key, `${request.endpoint} ${canonicalJson(body)}`);
  if (verdict.kind === "conflict") return { answer: resendErrors.invalidIdempotentRequest() };
  if (verdict.kind === "in-flight") return { answer: resendErrors.concurrentIdempotentRequests() };
  if (verdict.kind === "replay") {
    state.replays.push(key);
    return { answer: { ...verdict.answer, headers: { ...verdict.answer.headers, "idempotent-replayed": "true" } } };
  }
  // The key stays claimed while the request is "processing" (slowMs), so a concurrent duplicate sees 409.
  let answer: StandinAnswer = resendErrors.internal();
  try {
    await sleep(state.faults.slowMs);
    answer = execute(state, request, body, key);
  } finally {
    state.idempotency.finish(state.apiKey, key, answer);
  }
  return { answer, delayed: true, drop: answer.status === 200 && state.faults.dropAfterAccept() };
}

/** `GET /emails/:id`: the email object Resend returns for a sent email. */
export function handleGet(state: StandinState, id: string): RouteOutcome {
  const email = state.byId.get(id);
  if (!email) return { answer: resendErrors.notFound("Email not found") };
  return {
    answer: {
      status: 200,
      body: {
        object: "email",
        id: email.id,
        from: email.from,
        to: email.to,
        cc: email.cc,
        bcc: email.bcc,
        reply_to: email.replyTo,
        subject: email.subject,
        html: email.html,
        text: email.text,
        tags: email.tags,
        created_at: email.receivedAt,
        scheduled_at: null,
        last_event: "delivered",
      },
    },
  };
}
