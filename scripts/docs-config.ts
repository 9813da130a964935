// `pnpm docs:config`: writes docs/configuration.md's table from the apps' env schemas.
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { renderConfigTable, withConfigTable } from "./config-table";

const pagePath = resolve(__dirname, "../docs/configuration.md");
const before = readFileSync(pagePath, "utf8");
const after = withConfigTable(before, renderConfigTable());
if (after === before) {
  console.log("docs/configuration.md: configuration table already up to date");
} else {
  writeFileSync(pagePath, after);
  console.log("docs/configuration.md: configuration table rewritten from the env schemas");
}
