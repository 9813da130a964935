import { dropDatabase, freePort, obliteratePrefix, spawnProcess, testEnv, uniquePrefix, withDatabase } from "../packages/testing/src/index";
import { repoRoot } from "./runtime-fixture";

// `pnpm demo` twice on one database: the second run starts from an empty database, so the audit of
// its books is clean (a run that kept the first run's rows showed dozens of discrepancies).
const database = `callastar_demo_test_${process.pid}`;
const prefix = uniquePrefix("demo-twice");
const databaseUrl = withDatabase(testEnv.adminDatabaseUrl, database);

afterAll(async () => {
  await obliteratePrefix(prefix);
  await dropDatabase(testEnv.adminDatabaseUrl, database);
});

async function run(label: string, command: string, args: string[], env: Record<string, string>) {
  const proc = spawnProcess(label, repoRoot, command, args, env);
  const code = await proc.exited;
  return { code, output: proc.output() };
}

it("runs to completion twice, and audit:verify passes after the second run", async () => {
  const env = {
    DEMO_ADMIN_DATABASE_URL: testEnv.adminDatabaseUrl,
    DEMO_DATABASE_URL: databaseUrl,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: prefix,
    DEMO_DONE_TIMEOUT_MS: "150000",
  };
  for (const round of ["first", "second"]) {
    const demo = await run(`demo (${round})`, "pnpm", ["demo", "--exit-when-done"], { ...env, PORT: String(await freePort()) });
    expect({ round, code: demo.code, tail: demo.code === 0 ? "" : demo.output.slice(-3000) }).toEqual({ round, code: 0, tail: "" });
    expect(demo.output).toMatch(/\[demo\] done: 7 emails, 3 rooms deleted, 3 transfers/);
  }
  const audit = await run("audit:verify", "pnpm", ["audit:verify"], { DATABASE_URL: databaseUrl });
  expect({ code: audit.code, output: audit.code === 0 ? "" : audit.output }).toEqual({ code: 0, output: "" });
}, 400_000);
