// The deploy/ files are code too: the alert rules and scrape config must load in Prometheus, and every
// callastar metric they (or the Grafana dashboard) query must be one the apps really export.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "..");
const promtool = spawnSync("sh", ["-c", "command -v promtool"], { encoding: "utf8" }).stdout.trim();

function sourceText(dir: string): string {
  let text = "";
  for (const entry of readdirSync(dir)) {
    if (entry === "node_modules" || entry === "dist") continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) text += sourceText(path);
    else if (/\.tsx?$/.test(entry) && !/\.test\.tsx?$/.test(entry)) text += readFileSync(path, "utf8");
  }
  return text;
}

describe("deploy/", () => {
  const check = (args: string[]) => spawnSync(promtool, args, { cwd: root, encoding: "utf8" });

  it("has promtool to check it (Debian's prometheus package; .ci/run installs it)", () => {
    expect(promtool).not.toBe("");
  });

  it("alert rules pass promtool check rules", () => {
    const result = check(["check", "rules", "deploy/prometheus/alerts.yml"]);
    expect(`${result.stdout}${result.stderr}`).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("alert rules behave as their unit tests say (promtool test rules)", () => {
    const result = check(["test", "rules", "deploy/prometheus/alerts.test.yml"]);
    expect(`${result.stdout}${result.stderr}`).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("the scrape config passes promtool check config (syntax: its secret file lives on the Prometheus host)", () => {
    const result = check(["check", "config", "--syntax-only", "deploy/prometheus/prometheus.yml"]);
    expect(`${result.stdout}${result.stderr}`).toContain("SUCCESS");
    expect(result.status).toBe(0);
  });

  it("every callastar metric the alerts and the Grafana dashboard query is exported by the code", () => {
    const queried = new Set<string>();
    for (const file of ["deploy/prometheus/alerts.yml", "deploy/prometheus/alerts.test.yml", "deploy/grafana/callastar-jobs.json"]) {
      for (const m of readFileSync(join(root, file), "utf8").matchAll(/\bcallastar_[a-z_]+/g)) {
        queried.add(m[0].replace(/_(bucket|count|sum)$/, ""));
      }
    }
    const code = sourceText(join(root, "apps")) + sourceText(join(root, "packages"));
    const missing = [...queried].filter((name) => !code.includes(name));
    expect(missing).toEqual([]);
  });
});
