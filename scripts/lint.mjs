// Project lint, run by `pnpm lint`: (1) no circular imports between source files or between
// workspace packages; (2) `process.env` only in env modules (config is read once per app);
// (3) apps never import other apps. Exits 1 with every finding listed.
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const findings = [];
const walk = (dir, out = []) => {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
};
const members = ["apps", "packages"].flatMap((d) =>
  existsSync(join(root, d)) ? readdirSync(join(root, d)).map((n) => join(root, d, n)) : [],
).filter((d) => existsSync(join(d, "package.json")));
const pkgByName = new Map(members.map((d) => [JSON.parse(readFileSync(join(d, "package.json"), "utf8")).name, d]));

// (1a) package-level cycles over runtime dependencies
const deps = new Map([...pkgByName].map(([name, dir]) => {
  const pj = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  return [name, Object.keys(pj.dependencies ?? {}).filter((d) => pkgByName.has(d))];
}));
const state = new Map();
const visit = (n, stack) => {
  if (state.get(n) === 2) return;
  if (state.get(n) === 1) return findings.push(`package cycle: ${[...stack.slice(stack.indexOf(n)), n].join(" -> ")}`);
  state.set(n, 1);
  for (const d of deps.get(n) ?? []) visit(d, [...stack, n]);
  state.set(n, 2);
};
for (const n of deps.keys()) visit(n, []);

// (1b) file-level cycles within each member, (2) env, (3) app-to-app
const importRe = /(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
for (const dir of members) {
  const files = walk(join(dir, "src"));
  const graph = new Map();
  for (const f of files) {
    const src = readFileSync(f, "utf8");
    const rel = relative(root, f);
    const isTest = /\.test\.tsx?$/.test(f);
    if (!isTest && /process\.env/.test(src) && !/(^|\/)env\.ts$/.test(f)) {
      findings.push(`process.env outside an env module: ${rel}`);
    }
    const edges = [];
    for (const m of src.matchAll(importRe)) {
      const spec = m[1] ?? m[2];
      if (spec.startsWith("@callastar/") && dir.includes("/apps/")) {
        const target = pkgByName.get(spec.split("/").slice(0, 2).join("/"));
        if (target?.includes("/apps/")) findings.push(`app imports an app: ${rel} -> ${spec}`);
      }
      if (!spec.startsWith(".") || isTest) continue;
      const base = resolve(dirname(f), spec.replace(/\.js$/, ""));
      const hit = [".ts", ".tsx", "/index.ts", "/index.tsx"].map((e) => base + e).find((p) => existsSync(p));
      if (hit) edges.push(hit);
    }
    graph.set(f, edges);
  }
  const st = new Map();
  const dfs = (n, stack) => {
    if (st.get(n) === 2) return;
    if (st.get(n) === 1) {
      const cyc = [...stack.slice(stack.indexOf(n)), n].map((p) => relative(root, p));
      return findings.push(`import cycle: ${cyc.join(" -> ")}`);
    }
    st.set(n, 1);
    for (const e of graph.get(n) ?? []) dfs(e, [...stack, n]);
    st.set(n, 2);
  };
  for (const f of graph.keys()) dfs(f, []);
}
if (findings.length) {
  console.error(`lint: ${findings.length} finding(s)\n` + findings.map((f) => `  ${f}`).join("\n"));
  process.exit(1);
}
console.log(`lint: ${members.length} workspace members clean (no cycles, env read only in env modules)`);
