import { UnrecoverableError, type Job } from "bullmq";
import { PermanentError, isAudited, markAudited } from "@callastar/errors";
import { createProcessLog } from "@callastar/process-log";
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

it("logs a failed attempt once, through a child bound to the job's queue, id, name, attempt and entity ids", async () => {
  const lines: Array<Record<string, unknown>> = [];
  const destination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  const log = createProcessLog({ app: "test", level: "debug", destination });
  const reminder = { name: "booking-reminder", id: "reminder-b1", queueName: "reminders", data: { bookingId: "b1" }, opts: { attempts: 6 }, attemptsMade: 1, stalledCounter: 0 } as unknown as Job;
  const hooks = { onMalformed: async () => {}, onStalledTooOften: async () => {}, onFailedAttempt: async () => {}, maxStalledCount: Number.POSITIVE_INFINITY, log };
  await createProcessor("reminders", { "booking-reminder": async () => Promise.reject(new Error("Resend answered 500")), "send-booking-reminders": async () => 0 }, hooks)(reminder).catch(() => {});
  expect(lines).toEqual([
    expect.objectContaining({ level: "warn", msg: "job failed; will retry", queue: "reminders", jobId: "reminder-b1", jobName: "booking-reminder", attempt: 2, bookingId: "b1", attempts: 6, final: false }),
  ]);
  expect(lines[0]!.err).toMatchObject({ type: "Error", message: "Resend answered 500" });
});
