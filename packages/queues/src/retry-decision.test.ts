import { RateLimitError, UnrecoverableError, Worker } from "bullmq";
import { PermanentError, RateLimitedError, TransientError, ValidationError, markAudited } from "@callastar/errors";
import { attemptInfo, decideRetry } from "./retry-decision";

const first = { attempt: 1, attempts: 3 };
const last = { attempt: 3, attempts: 3 };

// The decision table every failure path uses: error kind × attempt position → action.
describe.each([
  ["a 429 from a provider", new RateLimitedError("slow down", 2_000), "wait", "wait", false],
  ["BullMQ's own rate-limit error", Worker.RateLimitError(), "wait", "wait", false],
  ["a rate-limit error from another bullmq copy", Object.assign(new Error("x"), { name: "RateLimitError" }), "wait", "wait", false],
  ["a permanent error (4xx)", new PermanentError("mailbox does not exist", { status: 422 }), "fail", "fail", true],
  ["a refused payload", new ValidationError("payload", [{ path: "to", message: "required" }]), "fail", "fail", true],
  ["BullMQ's UnrecoverableError", new UnrecoverableError("gone"), "fail", "fail", true],
  ["an error with retryable: false", Object.assign(new Error("no"), { retryable: false }), "fail", "fail", true],
  ["a transient error (5xx)", new TransientError("bad gateway", { status: 502 }), "retry", "fail", false],
  ["an unclassified error", new Error("ECONNRESET"), "retry", "fail", false],
  ["a thrown string", "boom", "retry", "fail", false],
] as const)("%s", (_what, error, onFirst, onLast, permanent) => {
  it(`${onFirst} on the first of three attempts`, () => {
    const d = decideRetry(error, first);
    expect(d).toEqual({ action: onFirst, permanent, attempt: 1, attempts: 3, final: onFirst === "fail" });
  });
  it(`${onLast} on the last attempt`, () => {
    const d = decideRetry(error, last);
    expect(d).toEqual({ action: onLast, permanent, attempt: 3, attempts: 3, final: onLast === "fail" });
  });
});

it("a wait never spends or ends an attempt, even on the last one", () => {
  expect(decideRetry(new RateLimitError(), last).final).toBe(false);
});

it("the audited mark does not change the decision", () => {
  expect(decideRetry(markAudited(new TransientError("down")), first).action).toBe("retry");
  expect(decideRetry(markAudited(new PermanentError("refused")), first).action).toBe("fail");
});

it("attemptInfo reads the attempt from the job as BullMQ counts it (attemptsMade before this one; one attempt by default)", () => {
  expect(attemptInfo({ attemptsMade: 1, opts: { attempts: 3 } }, new Error("x"))).toEqual({ attempt: 2, attempts: 3, final: false });
  expect(attemptInfo({ attemptsMade: 2, opts: { attempts: 3 } }, new Error("x"))).toEqual({ attempt: 3, attempts: 3, final: true });
  expect(attemptInfo({ attemptsMade: 0, opts: {} }, new Error("x"))).toEqual({ attempt: 1, attempts: 1, final: true });
  expect(attemptInfo({ attemptsMade: 0, opts: { attempts: 5 } }, new PermanentError("x"))).toEqual({ attempt: 1, attempts: 5, final: true });
});
