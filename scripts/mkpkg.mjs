// One-off scaffolding helper: writes package.json + tsconfig.json for a workspace member.
import { mkdirSync, writeFileSync } from "node:fs";
const [dir, name, depsCsv, devCsv, extra] = process.argv.slice(2);
const list = (csv) => Object.fromEntries((csv ? csv.split(",") : []).filter(Boolean).map((d) => [d, d.startsWith("@callastar/") ? "workspace:*" : "catalog:"]));
const isApp = dir.startsWith("apps/");
const pkg = {
  name, version: "0.1.0", private: true,
  ...(isApp ? {} : { exports: { ".": "./src/index.ts", ...(extra ? JSON.parse(extra) : {}) } }),
  scripts: {
    typecheck: "tsc -p .",
    ...(isApp ? { start: "tsx src/main.ts" } : {}),
  },
  dependencies: list(depsCsv),
  devDependencies: { "@types/node": "catalog:", "@types/jest": "catalog:", typescript: "catalog:", ...list(devCsv) },
};
mkdirSync(`${dir}/src`, { recursive: true });
writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
writeFileSync(`${dir}/tsconfig.json`, JSON.stringify({ extends: "../../tsconfig.base.json", include: ["src/**/*"] }, null, 2) + "\n");
