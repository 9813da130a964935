import { bigint, index, jsonb, primaryKey, text, pgTable } from "drizzle-orm/pg-core";
import { createdAt, id, ts } from "./columns";
import { logStatusEnum, logTypeEnum } from "./enums";

/** The spec's `Log` model, column for column, with its six indexes under Prisma's names. */
export const log = pgTable(
  "Log",
  {
    id: id(),
    type: logTypeEnum("type").notNull(),
    status: logStatusEnum("status").notNull(),
    message: text("message").notNull(),
    context: jsonb("context").$type<Record<string, unknown>>(),
    error: text("error"),
    createdAt: createdAt(),
  },
  (t) => [
    index("Log_type_idx").on(t.type),
    index("Log_status_idx").on(t.status),
    index("Log_createdAt_idx").on(t.createdAt),
    index("Log_type_status_idx").on(t.type, t.status),
    index("Log_type_createdAt_idx").on(t.type, t.createdAt),
    index("Log_status_createdAt_idx").on(t.status, t.createdAt),
  ],
);

/**
 * Hourly counts of `Log` rows by type and status, kept exact by statement-level triggers on
 * `Log` (see the custom migration), so 7-day stats read ~170 rows instead of millions.
 */
export const logHourlyStat = pgTable(
  "LogHourlyStat",
  {
    hour: ts("hour").notNull(),
    type: logTypeEnum("type").notNull(),
    status: logStatusEnum("status").notNull(),
    count: bigint("count", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ name: "LogHourlyStat_pkey", columns: [t.hour, t.type, t.status] })],
);

export type LogRow = typeof log.$inferSelect;
export type NewLogRow = typeof log.$inferInsert;
