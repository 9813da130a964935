// An ES module of the main app: static named imports fail at link time if a name is not exported.
import * as producer from "@callastar/producer";
import { createProducer, enqueueInPrismaTransaction, outboxStatement, ValidationError } from "@callastar/producer";
import * as drizzle from "@callastar/producer/drizzle";
import { enqueueInDrizzleTransaction } from "@callastar/producer/drizzle";
import * as logger from "@callastar/audit-log";
import { logEmailSent, getLogStats, LogType, createAuditLogger } from "@callastar/audit-log";
import exercise from "./exercise.cjs";

for (const fn of [createProducer, enqueueInPrismaTransaction, outboxStatement, ValidationError, enqueueInDrizzleTransaction, logEmailSent, getLogStats, createAuditLogger]) {
  if (typeof fn !== "function") throw new Error(`not a function: ${String(fn)}`);
}
if (LogType.EMAIL_SENT !== "EMAIL_SENT") throw new Error("LogType is missing EMAIL_SENT");
const result = await exercise({ producer, drizzle, logger, flavor: "esm" }, JSON.parse(process.argv[2]));
console.log(JSON.stringify(result));
