// Emails rendered and not yet delivered ("PendingEmail"), seen from outside: how many in each state
// and how long the oldest has waited. A healthy sender empties the table within seconds at 2 req/s;
// an oldest age that keeps growing means emails are not going out (the alert in deploy/ watches it).
import type { Sql } from "@callastar/db";
import type { MetricFamily } from "./prometheus";

/** The states of an undelivered email, as its batch row tells them. */
const STATES = ["queued", "batched", "sent_unanswered", "unknown"] as const;

const UNDELIVERED = `
SELECT CASE WHEN e.id IS NULL THEN 'queued' WHEN e."unknownAt" IS NOT NULL THEN 'unknown'
  WHEN e."attemptedAt" IS NOT NULL THEN 'sent_unanswered' ELSE 'batched' END AS state,
  count(*)::int AS n,
  EXTRACT(EPOCH FROM (clock_timestamp() AT TIME ZONE 'UTC') - min(p."createdAt"))::float8 AS oldest
FROM "PendingEmail" p LEFT JOIN "EmailBatch" e ON e.id = p."batchId"
GROUP BY 1`;

/** callastar_emails_undelivered{state} and callastar_emails_oldest_undelivered_age_seconds. */
export async function collectEmailMetrics(sql: Sql): Promise<MetricFamily[]> {
  const rows = await sql.unsafe<Array<{ state: (typeof STATES)[number]; n: number; oldest: number | null }>>(UNDELIVERED);
  const byState = new Map(rows.map((r) => [r.state, r]));
  const oldest = Math.max(0, ...rows.map((r) => r.oldest ?? 0));
  return [
    {
      name: "callastar_emails_undelivered",
      help: "Rendered emails not yet delivered, by state: queued (no batch yet), batched (not sent yet), sent_unanswered (sent, no answer recorded), unknown (perhaps delivered; for an operator).",
      type: "gauge",
      samples: STATES.map((state) => ({ labels: { state }, value: byState.get(state)?.n ?? 0 })),
    },
    {
      name: "callastar_emails_oldest_undelivered_age_seconds",
      help: "Seconds the oldest rendered, undelivered email has waited (0 when none waits).",
      type: "gauge",
      samples: [{ value: oldest }],
    },
  ];
}
