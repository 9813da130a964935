import { createDb } from "@callastar/db";
import { createAuditLogger } from "@callastar/logger";
void (async () => {
  const h = createDb("postgres://postgres@127.0.0.1:5432/callastar_bench_cleanup", { max: 2 });
  await h.sql`CHECKPOINT`;
  const l = createAuditLogger({ db: h });
  const t = performance.now();
  const r = await l.cleanupOldLogsDetailed(90, { batchSize: 5000 });
  console.log(r, performance.now() - t);
  console.log(await h.sql`select sum(count)::bigint s, (select count(*) from "Log") n from "LogHourlyStat"`);
  await l.close(); await h.close();
})();
