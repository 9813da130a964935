// `pnpm build` of one deployable (run in its directory by turbo): bundles src/main.ts (and any other
// entry given as argument) into dist/ as CommonJS for plain `node`. The workspace packages
// (@callastar/*, which export TypeScript source) are compiled into the bundle; npm packages stay
// external and must be the app's own `dependencies`, so a production install of the app alone
// (`pnpm deploy --prod`, the Dockerfile) resolves every import of its bundle.
import { builtinModules } from "node:module";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { build } from "esbuild";

const dir = process.cwd();
const root = resolve(import.meta.dirname, "..");
const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
const entries = process.argv.slice(2).length ? process.argv.slice(2) : ["src/main.ts"];
const builtins = new Set(builtinModules);
const packageOf = (spec) => spec.split("/").slice(0, spec.startsWith("@") ? 2 : 1).join("/");

/** Bare imports: @callastar/* are bundled, builtins and npm packages are left to `require`. */
const externals = new Set();
const externalizeNpm = {
  name: "externalize-npm",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, ({ path }) => {
      if (path.startsWith("node:") || builtins.has(path) || builtins.has(path.split("/")[0])) return { path, external: true };
      if (path.startsWith("@callastar/")) return undefined;
      externals.add(packageOf(path));
      return { path, external: true };
    });
  },
};

rmSync(join(dir, "dist"), { recursive: true, force: true });
const result = await build({
  absWorkingDir: dir,
  entryPoints: Object.fromEntries(entries.map((e) => [basename(e).replace(/\.tsx?$/, ""), e])),
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node24",
  // The sources use __dirname and require.resolve (migrations folder, the email renderer's edge build).
  format: "cjs",
  jsx: "automatic",
  tsconfig: join(root, "tsconfig.base.json"),
  sourcemap: true,
  // Stack traces need the mappings, not the sources: `--enable-source-maps` parses and keeps the
  // whole map in every process from its start.
  sourcesContent: false,
  // Stack traces keep the source's function and class names (errors are classes, shutdown steps named).
  keepNames: true,
  metafile: true,
  logLevel: "warning",
  plugins: [externalizeNpm],
});

const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }));
const missing = [...externals].filter((p) => !declared.has(p)).sort();
if (missing.length) {
  console.error(
    `${manifest.name}: its bundle requires ${missing.join(", ")} at run time; add ${missing.length > 1 ? "them" : "it"} to ` +
      `${relative(root, join(dir, "package.json"))} "dependencies" (catalog:) so a production install provides ${missing.length > 1 ? "them" : "it"}`,
  );
  process.exit(1);
}
// The other way too: a dependency the bundle never requires would ship in the image for nothing
// (knip leaves apps' "dependencies" to this check: it cannot see through the bundled packages).
// Peers of what the bundle requires (react-dom for @react-email/render) count as required.
const peers = new Set(
  [...externals].flatMap((p) => {
    try {
      return Object.keys(JSON.parse(readFileSync(join(dir, "node_modules", p, "package.json"), "utf8")).peerDependencies ?? {});
    } catch {
      return [];
    }
  }),
);
const unused = Object.keys(manifest.dependencies ?? {}).filter((p) => !externals.has(p) && !peers.has(p)).sort();
if (unused.length) {
  console.error(`${manifest.name}: "dependencies" lists ${unused.join(", ")}, which its bundle never requires; remove ${unused.length > 1 ? "them" : "it"} (devDependencies are for tests)`);
  process.exit(1);
}
// What the bundle needs at run time, for the layout check of the image (scripts/runtime-layout.test.ts).
writeFileSync(join(dir, "dist", "externals.json"), `${JSON.stringify([...externals].sort(), null, 2)}\n`);
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`${manifest.name}: ${Object.keys(result.metafile.outputs).filter((o) => o.endsWith(".js")).join(", ")} (${Math.round(bytes / 1024)} KiB, ${externals.size} external packages)`);
