import { sql } from "drizzle-orm";
import { text, timestamp } from "drizzle-orm/pg-core";
import { createId } from "../cuid";

// Prisma's conventions: text cuid ids, timestamp(3) without time zone holding UTC.
export const id = () => text("id").primaryKey().$defaultFn(createId);
export const createdAt = () =>
  timestamp("createdAt", { precision: 3, mode: "date" }).notNull().default(sql`CURRENT_TIMESTAMP`);
export const updatedAt = () =>
  timestamp("updatedAt", { precision: 3, mode: "date" })
    .notNull()
    .default(sql`CURRENT_TIMESTAMP`)
    .$onUpdateFn(() => new Date());
export const ts = (name: string) => timestamp(name, { precision: 3, mode: "date" });
