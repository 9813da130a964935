import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { NODE_FLAGS } from "./apps.mjs";

// `pnpm bench:memory` starts the apps and its bare worker with NODE_FLAGS, as production does: the
// image's CMD and each app's `start` script must carry exactly those flags, or the bench measures
// something production does not run.
const repoRoot = resolve(__dirname, "..");
const flags = NODE_FLAGS.join(" ");

it("the image's CMD starts every app with NODE_FLAGS", () => {
  const dockerfile = readFileSync(join(repoRoot, "Dockerfile"), "utf8");
  const cmd = JSON.parse(dockerfile.match(/^CMD (\[.*\])$/m)![1]!) as string[];
  expect(cmd.at(-1)).toBe(`exec node ${flags} apps/\${APP}/dist/main.js`);
});

it.each(readdirSync(join(repoRoot, "apps")))("%s's start script runs node with NODE_FLAGS", (app) => {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "apps", app, "package.json"), "utf8")) as { scripts: { start: string } };
  expect(manifest.scripts.start).toMatch(new RegExp(`exec node ${flags.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} dist/main\\.js$`));
});
