// Shared tsup settings of the installable packages (@callastar/producer, @callastar/audit-log): the
// workspace packages they are made of are bundled into dist (they are never published), and only
// the runtime dependencies in their package.json stay imports.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Options } from "tsup";

const packagesDir = resolve(__dirname, "../packages");

/** TypeScript `paths` for every workspace package's exports, so the declaration bundle inlines them. */
function workspacePaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  for (const dir of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, dir, "package.json");
    if (!existsSync(manifest)) continue;
    const { name, exports } = JSON.parse(readFileSync(manifest, "utf8")) as { name: string; exports?: Record<string, string> };
    for (const [subpath, target] of Object.entries(exports ?? {})) {
      if (typeof target === "string") paths[name + subpath.slice(1)] = [join(packagesDir, dir, target)];
    }
  }
  return paths;
}

/** ESM (.mjs) + CommonJS (.cjs) + declarations (.d.mts / .d.cts) of `entry`, bundling `@callastar/*`. */
export function installableBuild(entry: Record<string, string>, external: string[]): Options {
  return {
    entry,
    format: ["esm", "cjs"],
    outExtension: ({ format }) => ({ js: format === "esm" ? ".mjs" : ".cjs" }),
    dts: { compilerOptions: { paths: workspacePaths() } },
    noExternal: [/^@callastar\//],
    external,
    // Entries share chunks, so a class (ValidationError) is one class whichever entry threw it.
    splitting: true,
    // Classes keep their names in both builds (the CommonJS one would otherwise show `_class`).
    keepNames: true,
    target: "node20",
    platform: "node",
    clean: true,
    sourcemap: true,
  };
}
