import { seededRandom } from "../shared/faults";
export { seededRandom };
import type { ResendFaults } from "./types";

/** What the fault switches decide for one API request. */
export type FaultDecision = "drop" | "rate-limit" | "fail" | "none";


const RATES = ["failRate", "rateLimitRate", "dropRate", "dropAfterAcceptRate"] as const;

function count(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new RangeError(`fault ${field} must be a non-negative integer`);
  }
  return value;
}

/** Checks a faults object from code or from the control API; throws a RangeError naming the field. */
export function parseFaults(input: unknown): ResendFaults {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new RangeError("faults must be an object");
  const raw = input as Record<string, unknown>;
  const known = [...RATES, "failNext", "rateLimitNext", "retryAfterSeconds", "slowMs", "dropNext", "dropAfterAcceptNext"];
  const unknown = Object.keys(raw).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw new RangeError(`unknown fault ${unknown.join(", ")}`);
  const faults: ResendFaults = {};
  for (const field of RATES) {
    const value = raw[field];
    if (value === undefined) continue;
    if (typeof value !== "number" || !(value >= 0 && value <= 1)) throw new RangeError(`fault ${field} must be a number between 0 and 1`);
    faults[field] = value;
  }
  for (const field of ["failNext", "rateLimitNext", "retryAfterSeconds", "slowMs", "dropNext", "dropAfterAcceptNext"] as const) {
    const value = count(raw[field], field);
    if (value !== undefined) faults[field] = value;
  }
  return faults;
}

/** The active fault set; counters count down as they fire. */
export class FaultState {
  private faults: ResendFaults = {};
  private random: () => number;

  constructor(private readonly seed: number) {
    this.random = seededRandom(seed);
  }

  set(faults: ResendFaults): void {
    this.faults = { ...this.faults, ...parseFaults(faults) };
  }

  get(): Readonly<ResendFaults> {
    return { ...this.faults };
  }

  reset(): void {
    this.faults = {};
    this.random = seededRandom(this.seed);
  }

  get slowMs(): number {
    return this.faults.slowMs ?? 0;
  }

  get retryAfterSeconds(): number {
    return this.faults.retryAfterSeconds ?? 1;
  }

  /** Decides the fate of one API request before it is processed, consuming one counter at most. */
  decide(): FaultDecision {
    if (this.consume("dropNext")) return "drop";
    if (this.consume("rateLimitNext")) return "rate-limit";
    if (this.consume("failNext")) return "fail";
    if (this.draw("dropRate")) return "drop";
    if (this.draw("rateLimitRate")) return "rate-limit";
    if (this.draw("failRate")) return "fail";
    return "none";
  }

  /** True once per accepted send while `dropAfterAcceptNext` lasts, or drawn at `dropAfterAcceptRate`. */
  dropAfterAccept(): boolean {
    return this.consume("dropAfterAcceptNext") || this.draw("dropAfterAcceptRate");
  }

  // Draws only when the rate is set, so turning one rate on replays the same sequence for a seed.
  private draw(field: (typeof RATES)[number]): boolean {
    const rate = this.faults[field] ?? 0;
    return rate > 0 && this.random() < rate;
  }

  private consume(field: "dropNext" | "rateLimitNext" | "failNext" | "dropAfterAcceptNext"): boolean {
    const left = this.faults[field] ?? 0;
    if (left <= 0) return false;
    this.faults[field] = left - 1;
    return true;
  }
}
