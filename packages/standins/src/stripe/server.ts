import type { IncomingMessage, ServerResponse } from "node:http";
import { apiError, balanceInsufficient, cardDeclined, rateLimited, resourceMissing, unauthorized, type StripeFailure } from "./errors";
import { NO_STRIPE_FAULTS, sanitizeFaultPatch, seededRandom, type StripeFaults } from "./faults";
import { canonicalParams, parseForm } from "./form";
import { listen, readBody, sendJson, sleep } from "../shared/http";
import { IdempotencyStore, type StoredAnswer } from "./idempotency";
import { stripeId, TransferLedger, validateTransferParams, type StripeTransferObject } from "./transfers";

/** How to start a Stripe stand-in; every field has a default. */
export interface StripeStandinOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** The secret key clients must send as `Authorization: Bearer <key>`. */
  secretKey?: string;
  /** Stripe-Version answered when the request names none. */
  apiVersion?: string;
  /** Connected accounts that do not exist: transfers to them fail with resource_missing. */
  missingAccounts?: string[];
  /** Available platform balance per currency until setBalance says otherwise (minor units). */
  defaultBalance?: number;
  faults?: Partial<StripeFaults>;
}

/** One API request as the stand-in saw it; status 0 means the socket was dropped. */
export interface StripeRequestRecord {
  method: string;
  path: string;
  idempotencyKey: string | null;
  stripeAccount: string | null;
  status: number;
  replayed: boolean;
  at: Date;
}

/** A running Stripe stand-in and the handles a test needs to inspect and steer it. */
export interface StripeStandin {
  /** `http://host:port`, the value for an `apiBase`-style override. */
  url: string;
  host: string;
  port: number;
  protocol: "http";
  secretKey: string;
  transfers: StripeTransferObject[];
  requests: StripeRequestRecord[];
  /** Transfer creations that hold their idempotency key and have not answered yet (a retry now meets 409). */
  readonly executing: number;
  missingAccounts: Set<string>;
  faults(): Readonly<StripeFaults>;
  setFaults(faults: Partial<StripeFaults>): void;
  setBalance(amount: number, currency: string): void;
  reset(): void;
  close(): Promise<void>;
}

/** Starts a local HTTP server that speaks Stripe's transfers API, idempotency included. */
export async function startStripeStandin(options: StripeStandinOptions = {}): Promise<StripeStandin> {
  const secretKey = options.secretKey ?? "sk_test_standin";
  const apiVersion = options.apiVersion ?? "2026-10-28.endive";
  const ledger = new TransferLedger(options.defaultBalance ?? Number.MAX_SAFE_INTEGER);
  const idempotency = new IdempotencyStore();
  const missingAccounts = new Set(options.missingAccounts ?? []);
  const requests: StripeRequestRecord[] = [];
  let executing = 0;
  let faults: StripeFaults = { ...NO_STRIPE_FAULTS, ...options.faults };
  let random = seededRandom(faults.seed);

  const setFaults = (patch: Partial<StripeFaults>): void => {
    faults = { ...faults, ...patch };
    if (patch.seed !== undefined) random = seededRandom(faults.seed);
  };
  const reset = (): void => {
    ledger.clear();
    idempotency.clear();
    requests.length = 0;
    missingAccounts.clear();
    for (const account of options.missingAccounts ?? []) missingAccounts.add(account);
    faults = { ...NO_STRIPE_FAULTS, ...options.faults };
    random = seededRandom(faults.seed);
  };
  // Draws only when the rate is set, so turning one rate on replays the same sequence for a seed.
  const draw = (name: "failRate" | "rateLimitRate" | "dropRate" | "dropAfterCommitRate"): boolean => faults[name] > 0 && random() < faults[name];
  const consume = (name: "failNext" | "rateLimitNext" | "dropNext" | "dropAfterCommitNext" | "cardErrorNext" | "balanceInsufficientNext"): boolean => {
    if (faults[name] <= 0) return false;
    faults[name] -= 1;
    return true;
  };

  const api = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> => {
    const idempotencyKey = header(req, "idempotency-key");
    const record: StripeRequestRecord = {
      method: req.method ?? "GET",
      path,
      idempotencyKey,
      stripeAccount: header(req, "stripe-account"),
      status: 0,
      replayed: false,
      at: new Date(),
    };
    requests.push(record);
    const requestId = stripeId("req").slice(0, 18);
    const answer = (status: number, body: unknown, extra: Record<string, string> = {}): void => {
      record.status = status;
      sendJson(res, status, body, {
        "Request-Id": requestId,
        "Stripe-Version": header(req, "stripe-version") ?? apiVersion,
        ...(idempotencyKey ? { "Idempotency-Key": idempotencyKey } : {}),
        ...extra,
      });
    };
    const fail = (failure: StripeFailure): void => answer(failure.status, { error: failure.error });

    const isCreate = req.method === "POST" && path === "/v1/transfers";
    // A slow creation is slow while it executes (see below): that is when a retry meets 409.
    if (!isCreate && faults.slowMs > 0) await sleep(faults.slowMs);
    if (consume("dropNext") || draw("dropRate")) return void req.socket.destroy();
    const presented = bearer(req);
    if (presented !== secretKey) return fail(unauthorized(presented));
    if (consume("rateLimitNext")) return fail(rateLimited());
    if (draw("rateLimitRate")) return answer(429, { error: rateLimited().error }, { "Retry-After": "1" });
    if (consume("failNext") || draw("failRate")) return fail(apiError());

    if (isCreate) {
      const params = parseForm(await readBody(req));
      if (idempotencyKey !== null && idempotencyKey.length > 255) {
        return fail({ status: 400, error: { type: "invalid_request_error", message: "Idempotency-Key must be at most 255 characters long." } });
      }
      const decision = idempotencyKey === null
        ? undefined
        : idempotency.begin(record.stripeAccount ?? "platform", idempotencyKey, `POST ${path}`, canonicalParams(params));
      if (decision?.kind === "refuse") return fail(decision.failure);
      if (decision?.kind === "replay") {
        record.replayed = true;
        return answer(decision.answer.status, decision.answer.body, { "Idempotent-Replayed": "true", "Original-Request": decision.answer.requestId });
      }
      executing += 1;
      try {
        if (faults.slowMs > 0) await sleep(faults.slowMs);
      } finally {
        executing -= 1;
      }
      // Parameter validation runs before execution, so Stripe stores no idempotent result for it.
      const request = validateTransferParams(params, missingAccounts);
      if ("status" in request) {
        decision?.settle(undefined);
        return fail(request);
      }
      const outcome = consume("cardErrorNext") ? cardDeclined() : consume("balanceInsufficientNext") ? balanceInsufficient() : ledger.create(request);
      const stored: StoredAnswer =
        "status" in outcome ? { status: outcome.status, body: { error: outcome.error }, requestId } : { status: 200, body: outcome, requestId };
      decision?.settle(stored);
      // The transfer is committed and its answer stored; losing the answer now is the case
      // idempotency keys exist for.
      if (consume("dropAfterCommitNext") || draw("dropAfterCommitRate")) return void req.socket.destroy();
      return answer(stored.status, stored.body);
    }
    if (req.method === "GET" && path === "/v1/transfers") {
      const list = ledger.list(query);
      return "error" in list ? fail(list) : answer(200, list);
    }
    const byId = /^\/v1\/transfers\/([^/]+)$/.exec(path);
    if (req.method === "GET" && byId?.[1] !== undefined) {
      const transfer = ledger.find(decodeURIComponent(byId[1]));
      return transfer ? answer(200, transfer) : fail(resourceMissing(404, "id", `No such transfer: '${byId[1]}'`));
    }
    fail({
      status: 404,
      error: { type: "invalid_request_error", message: `Unrecognized request URL (${req.method ?? "?"}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.` },
    });
  };

  /** The control API lets a separate process (the demo, a worker under test) steer this stand-in. */
  const control = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (req.method === "GET" && path === "/transfers") return sendJson(res, 200, { transfers: ledger.transfers, requests });
    if (req.method !== "POST") return sendJson(res, 404, { error: `no control endpoint ${req.method ?? "?"} ${path}` });
    if (path === "/reset") {
      reset();
      return sendJson(res, 200, { ok: true });
    }
    let body: unknown;
    try {
      const text = await readBody(req);
      body = text ? (JSON.parse(text) as unknown) : {};
    } catch {
      return sendJson(res, 400, { error: "request body is not valid JSON" });
    }
    const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    if (path === "/faults") {
      setFaults(sanitizeFaultPatch(body));
      return sendJson(res, 200, { faults });
    }
    if (path === "/accounts/missing") {
      const listed: unknown[] = [fields.account, ...(Array.isArray(fields.accounts) ? (fields.accounts as unknown[]) : [])];
      for (const account of listed) if (typeof account === "string") missingAccounts.add(account);
      return sendJson(res, 200, { missingAccounts: [...missingAccounts] });
    }
    if (path === "/balance" && typeof fields.amount === "number" && typeof fields.currency === "string") {
      ledger.setBalance(fields.amount, fields.currency);
      return sendJson(res, 200, { currency: fields.currency.toLowerCase(), available: ledger.balance(fields.currency) });
    }
    sendJson(res, 404, { error: `no control endpoint POST ${path} (or missing fields)` });
  };

  const host = options.host ?? "127.0.0.1";
  const listening = await listen(
    (req, res) => {
      const url = new URL(req.url ?? "/", "http://standin");
      const route = url.pathname.startsWith("/_standin/")
        ? control(req, res, url.pathname.slice("/_standin".length))
        : api(req, res, url.pathname, url.searchParams);
      route.catch((error: unknown) => sendJson(res, 500, { error: { type: "api_error", message: String(error) } }));
    },
    host,
    options.port ?? 0,
  );

  return {
    url: `http://${host}:${listening.port}`,
    host,
    port: listening.port,
    protocol: "http",
    secretKey,
    transfers: ledger.transfers,
    requests,
    get executing() {
      return executing;
    },
    missingAccounts,
    faults: () => ({ ...faults }),
    setFaults,
    setBalance: (amount, currency) => ledger.setBalance(amount, currency),
    reset,
    close: () => listening.close(),
  };
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === "string" ? value : null;
}

/** Stripe accepts the key as a Bearer token or as the Basic-auth user name. */
function bearer(req: IncomingMessage): string | undefined {
  const value = req.headers.authorization ?? "";
  const token = /^Bearer (.+)$/.exec(value)?.[1];
  if (token) return token;
  const basic = /^Basic (.+)$/.exec(value)?.[1];
  return basic ? Buffer.from(basic, "base64").toString("utf8").split(":")[0] : undefined;
}
