import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import postgres from "postgres";
import { spawnProcess, testEnv, withDatabase } from "../packages/testing/src/index";
import { buildApps, expectCleanShutdown, repoRoot, startRuntimeSystem, waitUntilReady, type RuntimeSystem } from "./runtime-fixture";

// No Docker engine here: the image's runtime stage is reproduced by the command its build stage runs
// (scripts/deploy-apps.mjs), then started the way its CMD starts it, with plain node.
const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
const APPS = readdirSync(join(repoRoot, "apps"));
// Dev tools, and the optional peers pnpm-workspace.yaml's overrides keep out (they weigh ~300 MB an app).
const NOT_IN_IMAGE = ["typescript", "tsx", "esbuild", "jest", "@swc/core", "@swc/jest", "turbo", "drizzle-kit", "playwright-core", "pino-pretty", "prisma", "@prisma/client", "@electric-sql/pglite", "mysql2", "pg"];

let layout: string;
let system: RuntimeSystem;
beforeAll(async () => {
  buildApps();
  layout = mkdtempSync(join(tmpdir(), "callastar-image-"));
  execFileSync(process.execPath, ["scripts/deploy-apps.mjs", layout], { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] });
  system = await startRuntimeSystem("image");
}, 240_000);
afterAll(async () => {
  await system?.close();
  if (layout) rmSync(layout, { recursive: true, force: true });
});

/** Every file under `dir`, relative to it; node_modules folders are listed by the packages they hold. */
function files(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.name === "node_modules" ? [] : e.isDirectory() ? files(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}
/** The packages a deployed node_modules holds (pnpm's virtual store), by name. */
function installedPackages(dir: string): string[] {
  return readdirSync(join(dir, "node_modules/.pnpm"))
    .filter((n) => n !== "node_modules" && n !== "lock.yaml")
    .map((n) => n.match(/^(@[^+]+\+[^@]+|[^@]+)@/)![1]!.replace("+", "/"));
}

describe("the image's runtime stage", () => {
  it("is built from the deploy command alone, runs as node with node as PID 1, and keeps the spool", () => {
    expect(dockerfile).toMatch(/^RUN pnpm build$/m);
    expect(dockerfile).toMatch(/^RUN node scripts\/deploy-apps\.mjs \/out$/m);
    expect(runtimeStage.match(/^COPY .*/gm)).toEqual(["COPY --from=build /out ./"]);
    expect(runtimeStage).toMatch(/^USER node$/m);
    expect(runtimeStage).toMatch(/^RUN mkdir -p \/spool && chown node:node \/spool$/m);
    expect(runtimeStage).not.toMatch(/pnpm|tsx/);
    expect(runtimeStage).toMatch(/^CMD \["sh", "-c", "exec node /m);
  });

  it("holds the bundles, their manifests and the migrations; no sources, tests, benchmarks or chaos", () => {
    const all = files(layout);
    const allowed = /^(apps\/[a-z-]+\/(package\.json|dist\/(main\.js|main\.bundle\.js|main\.bundle\.js\.map|externals\.json))|packages\/db\/(package\.json|dist\/(migrate-cli\.js|migrate-cli\.bundle\.js|migrate-cli\.bundle\.js\.map|externals\.json))|drizzle\/.+\.(sql|json))$/;
    expect(all.filter((f) => !allowed.test(f))).toEqual([]);
    for (const app of APPS) expect(all).toContain(`apps/${app}/dist/main.js`);
    expect(existsSync(join(layout, "bench"))).toBe(false);
    expect(existsSync(join(layout, "chaos"))).toBe(false);
  });

  it("installs only production dependencies: each app's bundle externals, none of the workspace's dev tools", () => {
    for (const dir of [...APPS.map((a) => `apps/${a}`), "packages/db"]) {
      const installed = installedPackages(join(layout, dir));
      expect({ dir, dev: installed.filter((p) => NOT_IN_IMAGE.includes(p) || p.startsWith("@callastar/")) }).toEqual({ dir, dev: [] });
      const externals = JSON.parse(readFileSync(join(layout, dir, "dist/externals.json"), "utf8")) as string[];
      for (const name of externals) expect(existsSync(join(layout, dir, "node_modules", name, "package.json"))).toBe(true);
    }
  });

  it("migrates an empty database with the migrator of the image", async () => {
    const name = `callastar_image_${process.pid}`;
    const admin = postgres(testEnv.adminDatabaseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}"`);
    await admin.unsafe(`CREATE DATABASE "${name}"`);
    try {
      const url = withDatabase(testEnv.adminDatabaseUrl, name);
      const migrate = spawnProcess("migrate", layout, process.execPath, ["packages/db/dist/migrate-cli.js"], { DATABASE_URL: url });
      expect(await migrate.exited).toBe(0);
      expect(migrate.output()).toContain("migrations applied");
      const db = postgres(url, { max: 1, onnotice: () => {} });
      const [row] = await db`SELECT count(*)::int AS n FROM "Log"`;
      await db.end();
      expect(row).toEqual({ n: 0 });
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });

  it("starts every app with the image's CMD and plain node; SIGTERM runs its clean shutdown and it exits 0", async () => {
    const cmd = JSON.parse(runtimeStage.match(/^CMD (\[.*\])$/m)![1]!) as string[];
    const apps = APPS.map((app) => ({ app, process: spawnProcess(app, layout, cmd[0]!, cmd.slice(1), { ...system.env, APP: app }) }));
    for (const { app, process } of apps) await waitUntilReady(app, process);
    for (const { process } of apps) process.child.kill("SIGTERM");
    for (const { app, process } of apps) {
      expect({ app, exit: await process.exited }).toEqual({ app, exit: 0 });
      expectCleanShutdown(app, process.output());
    }
  }, 120_000);

  it("in development without pino-pretty (a dev tool), an app logs JSON lines and says why", async () => {
    const cmd = JSON.parse(runtimeStage.match(/^CMD (\[.*\])$/m)![1]!) as string[];
    const app = spawnProcess("room-worker", layout, cmd[0]!, cmd.slice(1), { ...system.env, APP: "room-worker", NODE_ENV: "development" });
    await waitUntilReady("room-worker", app);
    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    expect(app.output()).toContain("pino-pretty is not installed (a devDependency): JSON lines instead of pretty ones");
  });
});
