import { PermanentError, RateLimitedError, TransientError } from "@callastar/errors";
import { judgeFailure } from "./batch-verdict";

const refused = (code: string) => new PermanentError(`Resend answered 4xx ${code}`, { status: 422, code });

describe("judgeFailure", () => {
  it("a 429 is a wait, whatever happened before", () => {
    expect(judgeFailure(new RateLimitedError("429", 2_000), true)).toEqual({ kind: "wait", waitMs: 2_000 });
  });

  it("a refusal of a request that never reached Resend before is final", () => {
    expect(judgeFailure(refused("validation_error"), false)).toEqual({ kind: "final" });
  });

  it("a refusal after an attempt that may have been delivered is retried, never final", () => {
    expect(judgeFailure(refused("validation_error"), true)).toEqual({ kind: "retry" });
    expect(judgeFailure(new PermanentError("Resend answered 401", { status: 401, code: "missing_api_key" }), true)).toEqual({ kind: "retry" });
  });

  it("409 invalid_idempotent_request leaves the emails unknown, sent before or not", () => {
    for (const maybeSent of [false, true]) expect(judgeFailure(refused("invalid_idempotent_request"), maybeSent)).toMatchObject({ kind: "unknown" });
  });

  it("409 concurrent_idempotent_requests, a 5xx, a timeout or anything unexpected is retried", () => {
    expect(judgeFailure(new TransientError("409", { status: 409, code: "concurrent_idempotent_requests" }), false)).toEqual({ kind: "retry" });
    expect(judgeFailure(new TransientError("500", { status: 500 }), false)).toEqual({ kind: "retry" });
    expect(judgeFailure(new Error("boom"), false)).toEqual({ kind: "retry" });
  });
});
