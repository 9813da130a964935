import { randomBytes } from "node:crypto";
import { balanceInsufficient, invalidParam, resourceMissing, type StripeFailure } from "./errors";
import type { FormObject, FormValue } from "./form";

/** A transfer as Stripe's API returns it. */
export interface StripeTransferObject {
  id: string;
  object: "transfer";
  amount: number;
  amount_reversed: number;
  balance_transaction: string;
  created: number;
  currency: string;
  description: string | null;
  destination: string;
  destination_payment: string;
  livemode: false;
  metadata: Record<string, string>;
  reversals: { object: "list"; data: never[]; has_more: false; total_count: 0; url: string };
  reversed: false;
  source_transaction: null;
  source_type: "card";
  transfer_group: string | null;
}

/** A transfer request that passed parameter validation. */
export interface TransferRequest {
  amount: number;
  currency: string;
  destination: string;
  description: string | null;
  metadata: Record<string, string>;
  transfer_group: string | null;
}

const KNOWN_PARAMS = new Set(["amount", "currency", "destination", "description", "metadata", "transfer_group", "source_transaction", "source_type", "expand"]);

/** Stripe-style random ids: a prefix and 24 alphanumerics. */
export function stripeId(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString("base64url").replace(/[^A-Za-z0-9]/g, "0").slice(0, 24)}`;
}

/** Checks POST /v1/transfers parameters the way Stripe does before executing anything. */
export function validateTransferParams(params: FormObject, missingAccounts: ReadonlySet<string>): TransferRequest | StripeFailure {
  for (const key of Object.keys(params)) {
    if (!KNOWN_PARAMS.has(key)) return invalidParam(key, `Received unknown parameter: ${key}`, "parameter_unknown");
  }
  for (const key of ["amount", "currency", "destination"] as const) {
    if (params[key] === undefined) return invalidParam(key, `Missing required param: ${key}.`, "parameter_missing");
  }
  const amount = asString(params.amount);
  if (amount === undefined || !/^-?\d+$/.test(amount)) return invalidParam("amount", `Invalid integer: ${amount ?? "[object]"}`);
  if (Number(amount) < 1) return invalidParam("amount", "This value must be greater than or equal to 1.");
  if (!Number.isSafeInteger(Number(amount))) return invalidParam("amount", "This value must be less than or equal to 99999999999.");
  const currency = asString(params.currency)?.toLowerCase();
  if (currency === undefined || !/^[a-z]{3}$/.test(currency)) return invalidParam("currency", `Invalid currency: ${asString(params.currency) ?? "[object]"}.`);
  const destination = asString(params.destination);
  if (destination === undefined || !/^acct_[A-Za-z0-9]+$/.test(destination) || missingAccounts.has(destination)) {
    return resourceMissing(400, "destination", `No such destination: '${destination ?? "[object]"}'`);
  }
  const description = params.description === undefined ? null : asString(params.description);
  if (description === undefined) return invalidParam("description", "Invalid string: description must be a string.");
  const transferGroup = params.transfer_group === undefined ? null : asString(params.transfer_group);
  if (transferGroup === undefined) return invalidParam("transfer_group", "Invalid string: transfer_group must be a string.");
  const metadata = parseMetadata(params.metadata);
  if (metadata instanceof Map) return { amount: Number(amount), currency, destination, description, metadata: Object.fromEntries(metadata), transfer_group: transferGroup };
  return metadata;
}

function parseMetadata(value: FormValue | undefined): Map<string, string> | StripeFailure {
  // An empty string unsets metadata in Stripe's form encoding.
  if (value === undefined || value === "") return new Map();
  if (typeof value === "string") return invalidParam("metadata", "Invalid object");
  const entries = Object.entries(value);
  if (entries.length > 50) return invalidParam("metadata", "Metadata can have at most 50 keys.");
  const out = new Map<string, string>();
  for (const [key, v] of entries) {
    if (typeof v !== "string") return invalidParam(`metadata[${key}]`, "Metadata values must be strings.");
    if (key.length > 40) return invalidParam(`metadata[${key}]`, "Metadata keys can be at most 40 characters long.");
    if (v.length > 500) return invalidParam(`metadata[${key}]`, "Metadata values can be at most 500 characters long.");
    out.set(key, v);
  }
  return out;
}

function asString(value: FormValue | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** The platform's transfers and available balance per currency. */
export class TransferLedger {
  readonly transfers: StripeTransferObject[] = [];
  private readonly balances = new Map<string, number>();

  constructor(private readonly defaultBalance: number) {}

  /** Available balance in `currency` (minor units). */
  balance(currency: string): number {
    return this.balances.get(currency.toLowerCase()) ?? this.defaultBalance;
  }

  setBalance(amount: number, currency: string): void {
    this.balances.set(currency.toLowerCase(), amount);
  }

  /** Executes a validated transfer: debits the balance and records the transfer, or refuses. */
  create(request: TransferRequest): StripeTransferObject | StripeFailure {
    const available = this.balance(request.currency);
    if (request.amount > available) return balanceInsufficient();
    this.balances.set(request.currency, available - request.amount);
    const id = stripeId("tr");
    const transfer: StripeTransferObject = {
      id,
      object: "transfer",
      amount: request.amount,
      amount_reversed: 0,
      balance_transaction: stripeId("txn"),
      created: Math.floor(Date.now() / 1000),
      currency: request.currency,
      description: request.description,
      destination: request.destination,
      destination_payment: stripeId("py"),
      livemode: false,
      metadata: request.metadata,
      reversals: { object: "list", data: [], has_more: false, total_count: 0, url: `/v1/transfers/${id}/reversals` },
      reversed: false,
      source_transaction: null,
      source_type: "card",
      transfer_group: request.transfer_group,
    };
    this.transfers.push(transfer);
    return transfer;
  }

  find(id: string): StripeTransferObject | undefined {
    return this.transfers.find((t) => t.id === id);
  }

  /** GET /v1/transfers: newest first, filtered, cursor-paginated like Stripe's list endpoints. */
  list(query: URLSearchParams): { object: "list"; data: StripeTransferObject[]; has_more: boolean; url: string } | StripeFailure {
    for (const key of query.keys()) {
      if (!["transfer_group", "destination", "limit", "starting_after", "ending_before", "created"].includes(key)) {
        return invalidParam(key, `Received unknown parameter: ${key}`, "parameter_unknown");
      }
    }
    const limit = Number(query.get("limit") ?? "10");
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return invalidParam("limit", "This value must be between 1 and 100.");
    const group = query.get("transfer_group");
    const destination = query.get("destination");
    let data = [...this.transfers]
      .reverse()
      .filter((t) => (group === null || t.transfer_group === group) && (destination === null || t.destination === destination));
    const after = query.get("starting_after");
    if (after !== null) {
      const index = data.findIndex((t) => t.id === after);
      if (index < 0) return resourceMissing(400, "starting_after", `No such transfer: '${after}'`);
      data = data.slice(index + 1);
    }
    return { object: "list", data: data.slice(0, limit), has_more: data.length > limit, url: "/v1/transfers" };
  }

  clear(): void {
    this.transfers.length = 0;
    this.balances.clear();
  }
}
