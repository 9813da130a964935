/** `@callastar/producer/drizzle`: the outbox helper for drizzle transactions (needs drizzle-orm, an optional peer). */
export { enqueueInDrizzleTransaction, type DrizzleExecutor } from "@callastar/queues/outbox/drizzle";
