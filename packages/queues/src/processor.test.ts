import { UnrecoverableError, type Job } from "bullmq";
import { PermanentError, isAudited, markAudited } from "@callastar/errors";
import { createProcessor } from "./processor";

// A handler that audited its own failure marks the error; a permanent one is rethrown wrapped in
// UnrecoverableError (no retry), and the wrapper must carry the mark, or the worker runtime would
// write a second error row for the same attempt.
const data = { template: "payment_received", props: { recipientName: "Star", amount: 1000, currency: "EUR" }, to: "star@example.com", idempotencyKey: "k1" };
const job = { name: "send-email", id: "j1", data, opts: { attempts: 3 }, attemptsMade: 0, stalledCounter: 0 } as unknown as Job;
const audited: unknown[] = [];
beforeEach(() => void (audited.length = 0));
const processorThrowing = (error: unknown) =>
  createProcessor(
    "emails",
    { "send-email": async () => Promise.reject(error) },
    {
      onMalformed: async () => {},
      onStalledTooOften: async () => {},
      onFailedAttempt: async (_job, e) => void audited.push(e),
      queue: () => undefined,
      maxStalledCount: Number.POSITIVE_INFINITY,
    },
  )(job);

it("keeps the audited mark on the UnrecoverableError that wraps a permanent error", async () => {
  const thrown = await processorThrowing(markAudited(new PermanentError("mailbox does not exist"))).catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(UnrecoverableError);
  expect(isAudited(thrown)).toBe(true);
  expect(audited).toEqual([]); // the handler's row is the only one
});

it("audits an unaudited permanent error once through the hook, then marks it so nothing audits it again", async () => {
  const thrown = await processorThrowing(new PermanentError("mailbox does not exist")).catch((e: unknown) => e);
  expect(thrown).toBeInstanceOf(UnrecoverableError);
  expect(audited).toHaveLength(1);
  expect(isAudited(thrown)).toBe(true);
});
