import { jobOutbox } from "@callastar/db";
import { recordRelayLag } from "@callastar/queues";
import { basic, creds, useDashboard } from "./testing/harness";

const env = useDashboard();

it("GET /metrics shows the outbox backlog, its oldest row's age, emails awaiting delivery and the relay lag histogram", async () => {
  const ago = (s: number) => new Date(Date.now() - s * 1000);
  const row = (id: string, fields: Partial<typeof jobOutbox.$inferInsert> = {}) => ({ id, kind: "enqueuePayout", input: {}, jobId: `payout-${id}`, ...fields });
  await env.services().db.db.insert(jobOutbox).values([
    row("waiting-1", { createdAt: ago(30) }),
    row("waiting-2", { createdAt: ago(5) }),
    row("email-open", { kind: "enqueueEmail", idempotencyKey: "k", relayedAt: ago(20) }),
    row("done", { relayedAt: ago(20), completedAt: ago(20), outcome: "relayed" }),
  ]);
  await recordRelayLag(env.dash().redis, env.dash().prefix, [0.003, 0.07, 0.08, 2]);

  const res = await fetch(`${env.dash().base}/metrics`, { headers: { authorization: basic(creds.admin) } });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toContain("callastar_outbox_backlog 2\n");
  expect(text).toContain("callastar_outbox_emails_awaiting_delivery 1\n");
  const age = Number(/^callastar_outbox_oldest_unrelayed_age_seconds (\S+)$/m.exec(text)?.[1]);
  expect(age).toBeGreaterThanOrEqual(30);
  expect(text).toContain("# TYPE callastar_outbox_relay_lag_seconds histogram");
  expect(text).toContain('callastar_outbox_relay_lag_seconds_bucket{le="0.005"} 1\n');
  expect(text).toContain('callastar_outbox_relay_lag_seconds_bucket{le="0.1"} 3\n');
  expect(text).toContain('callastar_outbox_relay_lag_seconds_bucket{le="+Inf"} 4\n');
  expect(text).toContain("callastar_outbox_relay_lag_seconds_count 4\n");
  expect(text).toMatch(/callastar_outbox_relay_lag_seconds_sum 2\.15\d*\n/);
});
