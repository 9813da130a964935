import { z } from "zod";

/** A Daily room as GET/POST /rooms return it (fields we rely on; extras are dropped). */
export const dailyRoomSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  api_created: z.boolean(),
  privacy: z.enum(["public", "private", "org"]),
  url: z.url(),
  created_at: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
});

/** A room on Daily. */
export type DailyRoom = z.infer<typeof dailyRoomSchema>;

/** DELETE /rooms/:name answers `{ deleted: true, name }`. */
export const dailyDeleteSchema = z.object({ deleted: z.literal(true), name: z.string().min(1) });

/** Daily's error body: a stable `error` code and a human `info`. Lenient: it only enriches messages. */
export const dailyErrorBodySchema = z.object({ error: z.string(), info: z.string().optional() });
