// One Node line for the apps, said the same everywhere, and the CI path that brings it to a machine
// whose node is older.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoRoot } from "./runtime-fixture";

const read = (file: string) => readFileSync(join(repoRoot, file), "utf8");
const line = Number(read(".nvmrc").trim());

it("the apps' Node line is the same in .nvmrc, .node-version, engines, the Dockerfile, the bundles and CI", () => {
  expect(line).toBeGreaterThanOrEqual(24);
  expect(read(".node-version").trim()).toBe(String(line));
  expect((JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node).toBe(`>=${line}.11`);
  const froms = [...read("Dockerfile").matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
  expect(froms).toEqual([`node:${line}-bookworm-slim`, `node:${line}-bookworm-slim`]);
  expect(read("scripts/build-app.mjs")).toContain(`target: "node${line}",`);
  expect(read(".ci/run")).toContain('ensure_node "$(cat .nvmrc)"');
  // This very process: the tests run on that line too.
  expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(line);
});

describe("scripts/node-line.sh", () => {
  const script = join(repoRoot, "scripts/node-line.sh");
  const bash = (path: string, command: string) =>
    execFileSync("bash", ["-c", `source ${script} && ${command}`], { env: { HOME: process.env.HOME ?? "/root", PATH: path }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

  it("puts Node 24 first on PATH when the only node on it is Node 20", () => {
    // A bin directory with Node 20 and an npm that runs on it, ahead of the system's tools.
    const bin = mkdtempSync(join(tmpdir(), "node20-only-"));
    try {
      symlinkSync(join(execFileSync(script, ["20"], { encoding: "utf8" }).trim(), "node"), join(bin, "node"));
      symlinkSync(realpathSync(execFileSync("bash", ["-c", "command -v npm"], { encoding: "utf8" }).trim()), join(bin, "npm"));
      const path = `${bin}:/usr/bin:/bin`;
      expect(bash(path, "node -v")).toMatch(/^v20\./);
      const after = bash(path, `ensure_node ${line} && node -v && command -v node`).split("\n");
      expect(after[0]).toMatch(new RegExp(`^v${line}\\.`));
      expect(after[1]).toContain(`callastar-node/${line}/`);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("leaves PATH alone when node is already that line or newer", () => {
    const path = `${dirname(process.execPath)}:/usr/bin:/bin`;
    expect(bash(path, `ensure_node ${line} && command -v node`)).toBe(process.execPath);
  });
});
