import { emailBatch, pendingEmail } from "@callastar/db";
import { basic, creds, useDashboard } from "./testing/harness";

const env = useDashboard();

const metrics = async () => (await fetch(`${env.dash().base}/metrics`, { headers: { authorization: basic(creds.admin) } })).text();

it("GET /metrics shows undelivered emails by state and the oldest one's age, 0 when none waits", async () => {
  expect(await metrics()).toContain("callastar_emails_oldest_undelivered_age_seconds 0\n");
  const ago = (s: number) => new Date(Date.now() - s * 1000);
  const email = (key: string, createdAt: Date, batchId: string | null = null) => ({
    idempotencyKey: key,
    priority: 0,
    emailType: "booking_reminder_client",
    recipientEmail: "fan@example.com",
    message: "{}",
    auditContext: {},
    createdAt,
    batchId,
  });
  await env.services().db.db.insert(emailBatch).values([
    { id: "b-new", createdAt: ago(5) },
    { id: "b-sent", createdAt: ago(50), attemptedAt: ago(40) },
    { id: "b-unknown", createdAt: ago(900), attemptedAt: ago(890), unknownAt: ago(880), unknownReason: "409" },
  ]);
  await env.services().db.db.insert(pendingEmail).values([
    email("q1", ago(3)),
    email("q2", ago(1)),
    email("n1", ago(5), "b-new"),
    email("s1", ago(50), "b-sent"),
    email("u1", ago(1200), "b-unknown"),
  ]);
  const text = await metrics();
  expect(text).toContain("# TYPE callastar_emails_undelivered gauge");
  expect(text).toContain('callastar_emails_undelivered{state="queued"} 2\n');
  expect(text).toContain('callastar_emails_undelivered{state="batched"} 1\n');
  expect(text).toContain('callastar_emails_undelivered{state="sent_unanswered"} 1\n');
  expect(text).toContain('callastar_emails_undelivered{state="unknown"} 1\n');
  expect(Number(/^callastar_emails_oldest_undelivered_age_seconds (\S+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1200);
});
