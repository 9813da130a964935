// The main app's view of the installable packages: `pnpm pack` both, install the tarballs with npm
// in a project outside the workspace, then enqueue and audit from an ES module and from CommonJS
// against the real Redis and PostgreSQL, and type-check a consumer against the shipped declarations.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Queue } from "bullmq";
import { createTestDatabase, obliteratePrefix, testEnv, uniquePrefix, type TestDatabase } from "@callastar/testing";
import * as loggerSource from "@callastar/audit-log";
import * as drizzleSource from "./drizzle";
import * as producerSource from "./index";

const run = promisify(execFile);
const root = resolve(__dirname, "../../..");
const packageDirs = { producer: resolve(__dirname, ".."), "audit-log": resolve(root, "packages/audit-log") };
const appFiles = resolve(__dirname, "../test-app");
// Tools run with the test's PATH and HOME only (no jest NODE_OPTIONS), plus what reaching the
// registry takes on this machine (its CA bundle, a proxy) when npm must download.
const network = Object.fromEntries(
  Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|https?_proxy|no_proxy)$/i.test(e[0])),
);
const toolEnv = { ...testEnv.childBase, ...network, TURBO_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" };

interface Manifest {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  exports?: unknown;
  engines?: { node?: string };
}
interface AppResult {
  flavor: string;
  emailId: string;
  reminderId: string;
  refusals: Record<string, "accepted" | { name: string; message: string; isValidationError: boolean }>;
  outboxRefusalIsValidationError: boolean;
  outboxJobId: string;
  templates: string[];
  readBack: string[];
  names: { producer: string[]; drizzle: string[]; logger: string[] };
}

const runtimeNames = (module: object) => Object.keys(module).sort();

let app: string;
let db: TestDatabase;
const prefix = uniquePrefix("installable");
const manifests: Record<string, Manifest> = {};

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), "callastar-main-app-"));
  db = await createTestDatabase();
  // One turbo run builds both (cached when their sources did not change); prepack then finds them built.
  await run(join(root, "node_modules/.bin/turbo"), ["run", "build", "--filter=@callastar/producer", "--filter=@callastar/audit-log", "--output-logs=errors-only"], {
    cwd: root,
    env: toolEnv,
  });
  const dependencies: Record<string, string> = {};
  for (const [name, dir] of Object.entries(packageDirs)) {
    await run("pnpm", ["pack", "--pack-destination", app], { cwd: dir, env: toolEnv });
    const tarball = readdirSync(app).find((f) => new RegExp(`^callastar-${name}-\\d`).test(f) && f.endsWith(".tgz"));
    if (!tarball) throw new Error(`pnpm pack wrote no tarball for @callastar/${name}`);
    const { stdout } = await run("tar", ["-xOzf", join(app, tarball), "package/package.json"]);
    manifests[name] = JSON.parse(stdout) as Manifest;
    dependencies[`@callastar/${name}`] = `file:./${tarball}`;
  }
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "main-app", private: true, dependencies }, null, 2));
  for (const file of readdirSync(appFiles)) copyFileSync(join(appFiles, file), join(app, file));
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], { cwd: app, env: toolEnv });
}, 180_000);

afterAll(async () => {
  await obliteratePrefix(prefix);
  await db?.drop();
  if (app) rmSync(app, { recursive: true, force: true });
});

describe("the packed manifests", () => {
  it("depend only on what enqueueing and auditing need at run time, with plain versions", () => {
    expect(Object.keys(manifests.producer!.dependencies ?? {}).sort()).toEqual(["bullmq", "ioredis", "zod"]);
    expect(manifests.producer!.peerDependencies).toEqual({ "drizzle-orm": expect.stringMatching(/^\d/) });
    expect(Object.keys(manifests["audit-log"]!.dependencies ?? {}).sort()).toEqual(["drizzle-orm", "postgres"]);
    for (const manifest of Object.values(manifests)) {
      const runtime = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
      for (const [name, version] of Object.entries(runtime)) {
        expect(name).not.toMatch(/^@callastar\//);
        expect(version).toMatch(/^\d+\.\d+\.\d+$/); // catalog: and workspace: rewritten by pnpm pack
      }
      expect(JSON.stringify(manifest.exports)).not.toContain("/src/");
    }
  });

  it("install no React, no Resend SDK and no workspace package", () => {
    const modules = join(app, "node_modules");
    for (const absent of ["react", "react-dom", "resend", "@react-email", "@callastar/queues", "@callastar/db", "@callastar/errors"]) {
      expect(existsSync(join(modules, absent))).toBe(false);
    }
    expect(readdirSync(join(modules, "@callastar")).sort()).toEqual(["audit-log", "producer"]);
    // Nothing in the shipped code or declarations still points into the workspace.
    for (const name of ["audit-log", "producer"]) {
      const dist = join(modules, "@callastar", name, "dist");
      for (const file of readdirSync(dist).filter((f) => !f.endsWith(".map"))) {
        expect([file, readFileSync(join(dist, file), "utf8")]).not.toEqual([file, expect.stringMatching(/from ["']@callastar\/|require\(["']@callastar\//)]);
      }
    }
  });
});

// Every name the docs document for each package (docs/producer.md, docs/audit-logger.md; the test fails
// when they name one that is not exported, or stop naming one of these).
const DOCUMENTED = {
  "@callastar/audit-log": ["logEmailSent", "logCronRun", "getLogStats", "getRecentLogs", "LogType", "LogStatus", "logSuccess", "logError", "cleanupOldLogs", "flush", "close", "createAuditLogger"],
  "@callastar/producer": ["createProducer", "outboxRow", "outboxStatement", "enqueueInPrismaTransaction", "ValidationError", "jobIds", "EMAIL_TEMPLATES"],
  "@callastar/producer/drizzle": ["enqueueInDrizzleTransaction"],
};

describe("every name the docs document", () => {
  const docs = ["producer.md", "audit-logger.md"].map((page) => readFileSync(join(root, "docs", page), "utf8")).join("\n");

  it("is named in docs/producer.md or docs/audit-logger.md", () => {
    for (const name of Object.values(DOCUMENTED).flat()) expect([name, docs]).toEqual([name, expect.stringMatching(new RegExp(`\\b${name}\\b`))]);
  });

  it.each([
    ["import", "mjs", (pkg: string, names: string[]) => `import { ${names.join(", ")} } from "${pkg}";\nexport default { ${names.join(", ")} };`],
    ["require", "cjs", (pkg: string, names: string[]) => `module.exports = (() => { const { ${names.join(", ")} } = require("${pkg}"); return { ${names.join(", ")} }; })();`],
  ] as const)("exists through %s of the built package", async (_how, extension, source) => {
    const modules = Object.entries(DOCUMENTED).map(([pkg, names], i) => {
      writeFileSync(join(app, `documented-${i}.${extension}`), source(pkg, names));
      return `documented-${i}.${extension}`;
    });
    const probe = `documented.${extension === "mjs" ? "mjs" : "cjs"}`;
    const load = extension === "mjs" ? modules.map((m) => `(await import("./${m}")).default`) : modules.map((m) => `require("./${m}")`);
    const body = `const loaded = [${load.join(", ")}];\nconsole.log(JSON.stringify(loaded.map((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v])))));`;
    writeFileSync(join(app, probe), extension === "mjs" ? body : `(async () => { ${body} })();`);
    const { stdout } = await run(process.execPath, [probe], { cwd: app, env: testEnv.childBase });
    const types = JSON.parse(stdout) as Record<string, string>[];
    Object.values(DOCUMENTED).forEach((names, i) => {
      for (const name of names) expect([name, types[i]![name]]).toEqual([name, expect.not.stringMatching(/^undefined$/)]);
    });
  });
});

describe.each(["mjs", "cjs"])("the main app as %s", (extension) => {
  let result: AppResult;
  const bookingId = `bk_${extension}_${Date.now().toString(36)}`;
  const idempotencyKey = `payment_received:pay_${extension}_${Date.now().toString(36)}`;
  const callDateTime = new Date(Date.now() + 3 * 3_600_000).toISOString();

  beforeAll(async () => {
    const input = { redisUrl: testEnv.redisUrl, prefix, bookingId, userId: "user_1", idempotencyKey, callDateTime };
    const { stdout } = await run(process.execPath, [`main-app.${extension}`, JSON.stringify(input)], {
      cwd: app,
      env: { ...testEnv.childBase, DATABASE_URL: db.url },
    });
    result = JSON.parse(stdout.trim().split("\n").pop()!) as AppResult;
  });

  it("sees every name the packages export, as the workspace source does", () => {
    expect(result.names.producer).toEqual(runtimeNames(producerSource));
    expect(result.names.drizzle).toEqual(runtimeNames(drizzleSource));
    expect(result.names.logger).toEqual(runtimeNames(loggerSource));
    expect(result.names.logger).toEqual(expect.arrayContaining(["logEmailSent", "logCronRun", "getLogStats", "getRecentLogs", "LogType"]));
    expect(result.templates).toEqual([...producerSource.EMAIL_TEMPLATES]);
  });

  it("enqueues an email and a booking reminder in Redis under the producer's deterministic ids", async () => {
    expect(result.emailId).toBe(producerSource.jobIds.email(idempotencyKey));
    expect(result.reminderId).toBe(producerSource.jobIds.reminder(bookingId));
    expect(result.outboxJobId).toBe(producerSource.outboxRow("enqueuePayout", { payoutId: "po_1" }).jobId);
    const emails = new Queue("emails", { connection: { url: testEnv.redisUrl }, prefix });
    const reminders = new Queue("reminders", { connection: { url: testEnv.redisUrl }, prefix });
    try {
      const email = await emails.getJob(result.emailId);
      expect(email?.name).toBe("send-email");
      expect(email?.data).toMatchObject({ template: "payment_received", to: "ana@example.com", bookingId, idempotencyKey });
      const reminder = await reminders.getJob(result.reminderId);
      expect(reminder?.data).toEqual({ bookingId });
      expect(await reminder?.getState()).toBe("delayed");
      // Due at the call minus the 15-minute lead.
      expect(reminder!.timestamp + reminder!.delay).toBeGreaterThan(Date.parse(callDateTime) - 15 * 60_000 - 60_000);
      expect(reminder!.timestamp + reminder!.delay).toBeLessThanOrEqual(Date.parse(callDateTime) - 15 * 60_000);
    } finally {
      await Promise.all([emails.close(), reminders.close()]);
    }
  });

  it("refuses bad input with the package's ValidationError, naming what is wrong", () => {
    expect(result.refusals.nullInput).toEqual({ name: "ValidationError", isValidationError: true, message: expect.stringMatching(/^Invalid email: \(root\): .*expected object, received null/) });
    expect(result.refusals.nullPayout).toEqual({ name: "ValidationError", isValidationError: true, message: expect.stringMatching(/^Invalid payout: \(root\)/) });
    expect(result.refusals.otherTemplatesProps).toEqual({ name: "ValidationError", isValidationError: true, message: expect.stringMatching(/props: .*creatorName/) });
    expect(result.outboxRefusalIsValidationError).toBe(true);
  });

  it("writes its Log row through the logger and reads it back", async () => {
    const rows = await db.sql<{ id: string; type: string; status: string; context: { flavor?: string; emailType?: string } }[]>`
      SELECT id, type::text, status::text, context FROM "Log" WHERE context->>'bookingId' = ${bookingId}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: "EMAIL_SENT", status: "SUCCESS", context: { flavor: extension === "mjs" ? "esm" : "cjs", emailType: "payment_received" } });
    expect(result.readBack).toEqual([rows[0]!.id]);
  });
});

// The main app installs these packages on its own Node: each LTS line their engines claim, from the
// npm registry's node package (scripts/node-line.sh keeps each line cached outside the clone).
const LINES = [20, 22, 24, 26];

describe.each(LINES)("on Node %i", (line) => {
  let node: string;
  beforeAll(async () => {
    const { stdout } = await run(join(root, "scripts/node-line.sh"), [String(line)], { env: toolEnv });
    node = join(stdout.trim(), "node");
  }, 600_000);

  it("is a line the packages claim", async () => {
    const { stdout } = await run(node, ["-p", "process.versions.node"]);
    expect(Number(stdout.split(".")[0])).toBe(line);
    for (const manifest of Object.values(manifests)) expect(manifest.engines?.node).toBe(`>=${LINES[0]}.11`);
  });

  it.each(["mjs", "cjs"])("the main app as %s enqueues and audits", async (extension) => {
    const bookingId = `bk_${line}_${extension}_${Date.now().toString(36)}`;
    const idempotencyKey = `payment_received:pay_${line}_${extension}_${Date.now().toString(36)}`;
    const input = { redisUrl: testEnv.redisUrl, prefix, bookingId, userId: "user_1", idempotencyKey, callDateTime: new Date(Date.now() + 3_600_000).toISOString() };
    const { stdout } = await run(node, [`main-app.${extension}`, JSON.stringify(input)], { cwd: app, env: { ...testEnv.childBase, DATABASE_URL: db.url } });
    const result = JSON.parse(stdout.trim().split("\n").pop()!) as AppResult;
    expect(result.emailId).toBe(producerSource.jobIds.email(idempotencyKey));
    expect(result.reminderId).toBe(producerSource.jobIds.reminder(bookingId));
    expect(result.names.logger).toEqual(runtimeNames(loggerSource));
    expect(result.readBack).toHaveLength(1);
  });
});

it("type-checks a consumer against the shipped declarations, as an ES module and as CommonJS", async () => {
  const tsconfig = {
    compilerOptions: { module: "node16", moduleResolution: "node16", target: "es2022", strict: true, noEmit: true, skipLibCheck: true, types: [] },
    files: ["types.mts", "types.cts"],
  };
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify(tsconfig));
  const tsc = await run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "."], { cwd: app, env: toolEnv }).catch(
    (error: { stdout?: string; message?: string }) => ({ stdout: error.stdout ?? error.message ?? "tsc failed" }),
  );
  expect(tsc.stdout).toBe("");
});
