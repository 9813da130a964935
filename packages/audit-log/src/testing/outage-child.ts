// A process the spool tests SIGKILL: it logs `count` rows through a logger whose PostgreSQL is cut
// off, prints "released <n>" once every caller has been released, then stays alive (its spool
// leases refreshed) until killed. Configuration comes as one JSON argument, not the environment.
import { createDb } from "@callastar/db";
import { createAuditLogger } from "../audit-logger";

interface ChildConfig {
  url: string;
  spoolDir: string;
  count: number;
  leaseMs: number;
  ackTimeoutMs: number;
}

const config = JSON.parse(process.argv[2] ?? "{}") as ChildConfig;
const db = createDb(config.url, { max: 2, connectTimeout: 1, applicationName: "outage-child" });
const logger = createAuditLogger({
  db,
  spoolDir: config.spoolDir,
  spoolLeaseMs: config.leaseMs,
  ackTimeoutMs: config.ackTimeoutMs,
  backoffMaxMs: 200,
  onError: () => {},
});

async function main(): Promise<void> {
  // Stay alive, as a busy worker would (its Redis connections do), until the test kills us: the
  // logger's own timers are unref'd, and an idle process would exit and spool through its exit hook.
  setInterval(() => {}, 60_000);
  await Promise.all(Array.from({ length: config.count }, (_, i) => logger.logCronRun("outage-child", i, 1)));
  const { spooled, written } = logger.metrics();
  process.stdout.write(`released ${config.count} spooled ${spooled} written ${written}\n`);
}

void main();
