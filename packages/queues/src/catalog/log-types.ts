// The subset of log types the catalog refers to; kept here so the catalog does not depend on the db.
export type LogTypeName = "EMAIL_ERROR" | "DAILY_ROOM_ERROR" | "PAYOUT_ERROR" | "CRON_ERROR" | "SYSTEM_ERROR";
