// Every compiled app against each bad configuration value, as an operator would meet it: the process
// must exit non-zero within 20 s, print one line naming the variable, and no stack trace.
import { join } from "node:path";
import { spawnProcess, freePort, type AppProcess } from "../packages/testing/src/index";
import { buildApps, repoRoot, startRuntimeSystem, type RuntimeSystem } from "./runtime-fixture";

const ALL = ["scheduler", "email-worker", "room-worker", "payout-worker", "maintenance-worker", "outbox-relay", "dashboard"] as const;
type App = (typeof ALL)[number];
const WORKERS: App[] = ["scheduler", "email-worker", "room-worker", "payout-worker", "maintenance-worker"];

interface Case {
  variable: string;
  value: string | ((ports: { dead: number }) => string);
  apps: readonly App[];
  /** What the line must say besides the variable's name. */
  says: RegExp;
  /** A secret inside the value that must not be printed. */
  secret?: string;
}

const CASES: Case[] = [
  { variable: "DATABASE_URL", value: "notaurl", apps: ALL, says: /must be a postgres:\/\/ URL/ },
  { variable: "DATABASE_URL", value: ({ dead }) => `postgres://postgres:hunter2-secret@127.0.0.1:${dead}/callastar`, apps: ALL, says: /cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/callastar/, secret: "hunter2-secret" },
  { variable: "REDIS_URL", value: ({ dead }) => `redis://:hunter2-secret@127.0.0.1:${dead}`, apps: ALL, says: /cannot reach Redis at 127\.0\.0\.1:\d+/, secret: "hunter2-secret" },
  { variable: "REDIS_URL", value: "redis://127.0.0.1:6379/99", apps: ALL, says: /cannot reach Redis at 127\.0\.0\.1:6379\/99: refused: .*DB index is out of range/ },
  { variable: "SHUTDOWN_TIMEOUT_MS", value: "soon", apps: ALL, says: /must be a number/ },
  { variable: "STARTUP_DEADLINE_MS", value: "-5", apps: ALL, says: /must be > 0/ },
  { variable: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "notaurl", apps: WORKERS, says: /must be an http\(s\) URL/ },
  { variable: "DAILY_API_URL", value: "notaurl", apps: ["room-worker"], says: /must be an http\(s\) URL such as https:\/\/api\.daily\.co\/v1/ },
  { variable: "DAILY_API_KEY", value: "k", apps: ["room-worker"], says: /must be at least 8 characters/ },
  { variable: "EMAIL_FROM", value: "not-an-address", apps: ["email-worker"], says: /must be an email address or 'Name <address>'/ },
  { variable: "APP_URL", value: "notaurl", apps: ["email-worker"], says: /must be an http\(s\) URL/ },
  { variable: "RESEND_BASE_URL", value: "notaurl", apps: ["email-worker"], says: /must be an http\(s\) URL/ },
  { variable: "RESEND_API_KEY", value: "key-without-prefix", apps: ["email-worker"], says: /must start with re_/ },
  { variable: "EMAIL_BATCH_SIZE", value: "500", apps: ["email-worker"], says: /must be <= 100/ },
  { variable: "STRIPE_API_BASE", value: "notaurl", apps: ["payout-worker"], says: /must be an http\(s\) URL/ },
  { variable: "STRIPE_SECRET_KEY", value: "pk_live_publishable", apps: ["payout-worker"], says: /must start with sk_ or rk_/ },
  { variable: "LOG_RETENTION_DAYS", value: "-1", apps: ["maintenance-worker"], says: /must be > 0/ },
  { variable: "CRON_TZ", value: "Mars/Olympus", apps: ["scheduler"], says: /must be an IANA time zone/ },
  { variable: "REMINDER_LEAD_MINUTES", value: "1.5", apps: ["email-worker", "outbox-relay"], says: /must be an integer/ },
  { variable: "OUTBOX_BATCH_SIZE", value: "0", apps: ["outbox-relay"], says: /must be > 0/ },
  { variable: "PORT", value: "99999", apps: ["dashboard"], says: /must be 1\.\.65535/ },
  { variable: "CRON_SECRET", value: "short", apps: ["dashboard"], says: /must be at least 16 characters/ },
  { variable: "DASHBOARD_SESSION_SECRET", value: "short", apps: ["dashboard"], says: /must be at least 32 characters/ },
  { variable: "TRUST_PROXY", value: "proxy.internal", apps: ["dashboard"], says: /is not an IP address/ },
  { variable: "DASHBOARD_PUBLIC_ORIGIN", value: "notaurl", apps: ["dashboard"], says: /must be an http\(s\) URL/ },
];

const RUNS = CASES.flatMap((c) => c.apps.map((app) => ({ app, ...c, label: `${app}: ${c.variable}=${typeof c.value === "string" ? c.value : "(unreachable)"}` })));

/** Resolves when `p` exits, or after `ms` with "still running" (the process is then killed). */
async function exitWithin(p: AppProcess, ms: number): Promise<number | string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve("still running"), ms)));
  const result = await Promise.race([p.exited, late]);
  clearTimeout(timer);
  if (result === "still running") {
    p.child.kill("SIGKILL");
    await p.exited;
  }
  return result;
}

let system: RuntimeSystem;
const results = new Map<string, { code: number | string; output: string }>();

beforeAll(async () => {
  buildApps();
  system = await startRuntimeSystem("bad-config");
  const dead = await freePort();
  // Short retries, so an unreachable service is given up on in 3 s; a few processes at a time.
  const env = { ...system.env, STARTUP_DEADLINE_MS: "3000" };
  const queue = [...RUNS];
  const runOne = async () => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      const value = typeof run.value === "string" ? run.value : run.value({ dead });
      const p = spawnProcess(run.label, join(repoRoot, "apps", run.app), process.execPath, ["dist/main.js"], { ...env, [run.variable]: value });
      results.set(run.label, { code: await exitWithin(p, 20_000), output: p.output() });
    }
  };
  await Promise.all(Array.from({ length: 4 }, runOne));
}, 300_000);
afterAll(() => system?.close());

it("covers every app", () => {
  expect(new Set(RUNS.map((r) => r.app))).toEqual(new Set(ALL));
});

it.each(RUNS)("$label → exit 1 within 20 s, one line naming the variable, no stack trace", ({ label, variable, says, secret }) => {
  const { code, output } = results.get(label)!;
  const naming = output.split("\n").filter((line) => line.includes(variable));
  if (code !== 1 || naming.length !== 1) throw new Error(`exit ${code}, ${naming.length} lines naming ${variable}; output:\n${output}`);
  const entry = JSON.parse(naming[0]!) as { level: string; msg: string };
  expect(entry.level).toBe("fatal");
  expect(entry.msg).toContain(`${variable}: `);
  expect(entry.msg).toMatch(says);
  // A stack frame, in a JSON field or printed by node itself.
  expect(output).not.toMatch(/"stack"|\bat [\w$.<>]+ \(|\bat (?:node:|file:|\/)/);
  if (secret) expect(output).not.toContain(secret);
});
