// `pnpm docs:config`: writes the README's configuration table from the apps' env schemas.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { renderConfigTable, withConfigTable } from "./config-table";

const readmePath = resolve(__dirname, "../README.md");
const before = readFileSync(readmePath, "utf8");
const after = withConfigTable(before, renderConfigTable());
if (after === before) {
  console.log("README.md: configuration table already up to date");
} else {
  writeFileSync(readmePath, after);
  console.log("README.md: configuration table rewritten from the env schemas");
}
