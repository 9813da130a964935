// A reminder is due at exactly callDateTime − lead, whichever call adds it: BullMQ counts a delay
// from the job's timestamp, so the producer stamps the job with the instant it computed the delay.
import { Queue } from "bullmq";
import { obliteratePrefix, testEnv, uniquePrefix } from "@callastar/testing";
import { createProducer, type Producer } from "./index";

const prefix = uniquePrefix("due-time");
const LEAD_MINUTES = 15;
let producer: Producer;
let reminders: Queue;

beforeAll(() => {
  producer = createProducer({ connection: testEnv.redisUrl, prefix, reminderLeadMinutes: LEAD_MINUTES });
  reminders = new Queue("reminders", { connection: { url: testEnv.redisUrl }, prefix });
});
afterAll(async () => {
  await producer.close();
  await reminders.close();
  await obliteratePrefix(prefix);
});

const dueOf = async (jobId: string) => {
  const job = await reminders.getJob(jobId);
  return job!.timestamp + job!.delay;
};

it.each([
  ["scheduleBookingReminder", (p: Producer, input: { bookingId: string; callDateTime: string }) => p.scheduleBookingReminder(input)],
  // Its lookup of an existing job is a round trip between computing the delay and adding the job.
  ["rescheduleBookingReminder", (p: Producer, input: { bookingId: string; callDateTime: string }) => p.rescheduleBookingReminder(input)],
] as const)("%s: every reminder is due at callDateTime − lead to the millisecond", async (name, add) => {
  const call = Date.now() + 3 * 3_600_000;
  const dues: number[] = [];
  for (let i = 0; i < 25; i++) {
    const jobId = await add(producer, { bookingId: `bk_${name}_${i}`, callDateTime: new Date(call).toISOString() });
    dues.push(await dueOf(jobId));
  }
  expect(dues).toEqual(Array(25).fill(call - LEAD_MINUTES * 60_000));
});
