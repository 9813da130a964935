// patches/postgres@3.4.9.patch, second part: a write postgres.js deferred with setImmediate used to
// fire after its connection closed and throw where nothing can catch it (porsager/postgres#1154,
// #1208), killing a worker on any PostgreSQL blip. Run in a child process: the bug is a crash.
import { spawnSync } from "node:child_process";
import { testEnv } from "./env";

const script = [
  `const postgres = require(${JSON.stringify(require.resolve("postgres"))});`,
  "(async () => {",
  "  const sql = postgres(process.argv[1], { max: 1, onnotice: () => {} });",
  "  const admin = postgres(process.argv[1], { max: 1, onnotice: () => {} });",
  "  const reserved = await sql.reserve();",
  "  const [{ pid }] = await reserved`SELECT pg_backend_pid() AS pid`;",
  "  await admin`SELECT pg_terminate_backend(${pid})`;",
  // Unpatched, the second or third query's deferred write throws from setImmediate and kills the
  // process. Patched, each settles; a query still unsettled after 2 s is reported, not waited for.
  "  const outcomes = [];",
  "  for (let i = 0; i < 3; i++) {",
  "    const bound = new Promise((r) => setTimeout(() => r('unsettled'), 2000).unref());",
  "    outcomes.push(await Promise.race([reserved`SELECT 1`.then(() => 'ok', (e) => e.code || e.message), bound]));",
  "  }",
  "  console.log(JSON.stringify(outcomes));",
  "  process.exit(0);",
  "})();",
].join("\n");

it("a query on a connection whose backend died is rejected, and the process lives", () => {
  const child = spawnSync(process.execPath, ["-e", script, testEnv.adminDatabaseUrl], { encoding: "utf8", timeout: 30_000 });
  expect(child.stderr).not.toContain("TypeError");
  expect(child.status).toBe(0);
  const [first] = JSON.parse(child.stdout.trim()) as string[];
  expect(["CONNECTION_CLOSED", "ECONNRESET"]).toContain(first);
});
