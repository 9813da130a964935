import type { RedisConnection as Redis } from "@callastar/queues";
import type { Sql } from "@callastar/db";
import { readRelayLag } from "@callastar/queues";
import { JOB_OUTBOX } from "@callastar/producer";
import type { MetricFamily } from "./prometheus";

/**
 * The transactional outbox seen from outside: rows committed but not yet in Redis (backlog and the
 * oldest one's age, from PostgreSQL's partial index) and the relays' lag histogram (from Redis).
 */
export async function collectOutboxMetrics(sql: Sql, redis: Redis, prefix: string): Promise<MetricFamily[]> {
  const [[backlog], lag] = await Promise.all([
    sql.unsafe<Array<{ unrelayed: number; oldest: number | null; open: number }>>(
      `SELECT (SELECT count(*)::int FROM "${JOB_OUTBOX.table}" WHERE "relayedAt" IS NULL) AS "unrelayed", ` +
        `(SELECT EXTRACT(EPOCH FROM (clock_timestamp() AT TIME ZONE 'UTC') - min("createdAt"))::float8 FROM "${JOB_OUTBOX.table}" WHERE "relayedAt" IS NULL) AS "oldest", ` +
        `(SELECT count(*)::int FROM "${JOB_OUTBOX.table}" WHERE "relayedAt" IS NOT NULL AND "completedAt" IS NULL) AS "open"`,
    ),
    readRelayLag(redis, prefix),
  ]);
  const gauge = (name: string, help: string, value: number): MetricFamily => ({ name, help, type: "gauge", samples: [{ value }] });
  return [
    gauge("callastar_outbox_backlog", "JobOutbox rows committed but not yet added to Redis.", backlog?.unrelayed ?? 0),
    gauge("callastar_outbox_oldest_unrelayed_age_seconds", "Age of the oldest JobOutbox row not yet in Redis (0 when none).", Math.max(0, backlog?.oldest ?? 0)),
    gauge("callastar_outbox_emails_awaiting_delivery", "Relayed outbox emails whose EmailDelivery is not recorded yet.", backlog?.open ?? 0),
    {
      name: "callastar_outbox_relay_lag_seconds",
      help: "Outbox row creation (transaction time) to its job added in Redis, over all relay copies.",
      type: "histogram",
      samples: [
        ...lag.buckets.map((b) => ({ labels: { le: Number.isFinite(b.le) ? String(b.le) : "+Inf" }, value: b.count, suffix: "_bucket" })),
        { value: lag.sum, suffix: "_sum" },
        { value: lag.count, suffix: "_count" },
      ],
    },
  ];
}
