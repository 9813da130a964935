// `pnpm audit:verify`: exit 0 clean, 1 something missing (unrepaired) or duplicated, 2 bad arguments.
import { createDb } from "@callastar/db";
import { parseCliArgs, UsageError, USAGE, type CliOptions } from "./cli-args";
import { readReconcilerEnv } from "./env";
import { formatReport, hasDiscrepancies, toContractJson } from "./report";
import { verifyAudit } from "./verify-audit";

async function run(options: CliOptions, databaseUrl: string): Promise<number> {
  const handle = createDb(databaseUrl, { max: 1, applicationName: "audit:verify" });
  try {
    const report = await verifyAudit(handle.db, options);
    process.stdout.write(`${options.json ? JSON.stringify(toContractJson(report)) : formatReport(report)}\n`);
    return hasDiscrepancies(report) ? 1 : 0;
  } finally {
    await handle.close();
  }
}

function main(): void {
  let options: CliOptions;
  let databaseUrl: string;
  try {
    options = parseCliArgs(process.argv.slice(2));
    databaseUrl = readReconcilerEnv().databaseUrl;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`audit:verify: ${message}\n${error instanceof UsageError ? `${USAGE}\n` : ""}`);
    process.exitCode = 2;
    return;
  }
  run(options, databaseUrl).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // drizzle wraps the driver's error in "Failed query: <the whole statement>": the cause says what went wrong.
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      process.stderr.write(`audit:verify failed: ${cause instanceof Error ? cause.message : String(cause)}\n`);
      process.exitCode = 1;
    },
  );
}

main();
