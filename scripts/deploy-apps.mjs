// The image's runtime layout, built by the Dockerfile and by scripts/runtime-layout.test.ts alike:
// `node scripts/deploy-apps.mjs <out>` (after `pnpm build`) writes
//   <out>/apps/<app>/{package.json, dist/, node_modules/}   each app with its production dependencies
//   <out>/packages/db/{package.json, dist/, node_modules/}  the migrator (`node packages/db/dist/migrate-cli.js`)
//   <out>/drizzle/                                          the migrations it applies
// `pnpm deploy --prod` installs from the lockfile only what each package lists in `dependencies`; the
// packages' `files: ["dist"]` keeps their sources and tests out.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { APPS } from "./apps.mjs";

const root = resolve(import.meta.dirname, "..");
const out = process.argv[2] && resolve(process.argv[2]);
if (!out) {
  console.error("usage: node scripts/deploy-apps.mjs <output directory>");
  process.exit(2);
}
const targets = [...APPS.map((app) => ({ dir: `apps/${app}`, name: `@callastar/${app}`, entry: "dist/main.js" })),
  { dir: "packages/db", name: "@callastar/db", entry: "dist/migrate-cli.js" }];
const unbuilt = targets.filter((t) => !existsSync(join(root, t.dir, t.entry)));
if (unbuilt.length) {
  console.error(`not built: ${unbuilt.map((t) => join(t.dir, t.entry)).join(", ")}; run pnpm build first`);
  process.exit(1);
}

rmSync(out, { recursive: true, force: true });
for (const t of targets) {
  const dest = join(out, t.dir);
  execFileSync("pnpm", ["--filter", t.name, "deploy", "--prod", "--config.confirm-modules-purge=false", dest], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  // What pnpm leaves beside the package for a later install; nothing reads them at run time.
  for (const leftover of ["pnpm-lock.yaml", "pnpm-workspace.yaml", ".turbo"]) rmSync(join(dest, leftover), { recursive: true, force: true });
}
cpSync(join(root, "drizzle"), join(out, "drizzle"), { recursive: true });
console.log(`runtime layout in ${out}: ${targets.map((t) => t.dir).join(", ")}, drizzle`);
