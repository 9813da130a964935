// patches/postgres@3.4.9.patch, second part: a write postgres.js deferred with setImmediate used to
// fire after its connection closed and throw where nothing can catch it (porsager/postgres#1154,
// #1208), killing a worker on any PostgreSQL blip. Run in a child process: the bug is a crash.
import { spawnSync } from "node:child_process";
import { testEnv } from "./env";

const script = `
const postgres = require(${JSON.stringify(require.resolve("postgres"))});
(async () => {
  const url = process.argv[1];
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const reserved = await sql.reserve();
  const [{ pid }] = await reserved\`SELECT pg_backend_pid() AS pid\`;
  await admin\`SELECT pg_terminate_backend(\${pid})\`;
  const outcomes = [];
  for (let i = 0; i < 3; i++) {
    try { await reserved\`SELECT 1\`; outcomes.push("ok"); } catch (e) { outcomes.push(e.code || e.message); }
  }
  console.log(JSON.stringify(outcomes));
  reserved.release();
  await Promise.all([sql.end({ timeout: 1 }), admin.end({ timeout: 1 })]);
})();
`;

it("a query on a connection whose backend died is rejected with CONNECTION_CLOSED, and the process lives", () => {
  const child = spawnSync(process.execPath, ["-e", script, testEnv.adminDatabaseUrl], { encoding: "utf8", timeout: 30_000 });
  expect(child.stderr).not.toContain("TypeError");
  expect(child.status).toBe(0);
  expect(JSON.parse(child.stdout.trim())).toEqual(["CONNECTION_CLOSED", "CONNECTION_CLOSED", "CONNECTION_CLOSED"]);
});
