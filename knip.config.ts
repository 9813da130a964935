// knip: unused files, exports and dependencies (`pnpm lint`). An app's "dependencies" are what its
// bundle requires at run time: its own imports, and those of the workspace packages compiled into it,
// which knip attributes to those packages. So for each app knip accepts a dependency that one of its
// bundled packages declares, and reports any other it does not import (scripts/build-app.mjs checks
// the bundle's exact set both ways).
import { readdirSync, readFileSync } from "node:fs";

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const manifest = (dir: string) => JSON.parse(readFileSync(`${dir}/package.json`, "utf8")) as Manifest;

const TEST_SUPPORT = new Set(["@callastar/testing", "@callastar/standins"]);

/** The npm dependencies of the workspace packages an app bundles (transitively). */
function bundledDependencies(app: string): Set<string> {
  const seen = new Set<string>();
  const found = new Set<string>();
  // An app lists the packages it bundles among its devDependencies; a package, among its dependencies.
  // Test support (testing, standins) is never bundled.
  const visit = (m: Manifest, own = false) => {
    const members = Object.keys({ ...m.dependencies, ...(own ? m.devDependencies : {}) });
    for (const name of members.filter((n) => n.startsWith("@callastar/") && !TEST_SUPPORT.has(n))) {
      if (seen.has(name)) continue;
      seen.add(name);
      const member = manifest(`packages/${name.slice("@callastar/".length)}`);
      for (const dep of Object.keys(member.dependencies ?? {})) if (!dep.startsWith("@callastar/")) found.add(dep);
      visit(member);
    }
  };
  visit(manifest(`apps/${app}`), true);
  return found;
}

// pino-pretty is required by name at run time (packages/process-log, in development only), which knip cannot see.
const appDependencies = (app: string): string[] => [
  ...Object.keys(manifest(`apps/${app}`).dependencies ?? {}).filter((d) => bundledDependencies(app).has(d)),
  "pino-pretty",
];

interface Workspace {
  entry?: string[];
  project?: string[];
  ignoreDependencies?: string[];
}

const workspaces: Record<string, Workspace> = {
  ".": {
    "entry": [
      "scripts/*.{ts,mjs}"
    ],
    "project": [
      "scripts/**/*.{ts,mjs}"
    ]
  },
  "apps/*": {
    "project": [
      "src/**/*.{ts,tsx}"
    ]
  },
  "apps/outbox-relay": {
    "entry": [
      "prisma/main-app.mts"
    ],
    "project": [
      "src/**/*.ts",
      "prisma/*.{mts,prisma}"
    ]
  },
  "packages/*": {
    "project": [
      "src/**/*.{ts,tsx}"
    ]
  },
  "packages/producer": {
    "project": [
      "src/**/*.ts"
    ],
    "ignoreDependencies": [
      "zod"
    ]
  },
  "packages/audit-log": {
    "entry": [
      "src/testing/outage-child.ts"
    ],
    "project": [
      "src/**/*.ts"
    ]
  },
  "packages/runtime": {
    "entry": [
      "src/test-fixtures/crash-worker.ts"
    ],
    "project": [
      "src/**/*.ts"
    ]
  },
  "bench": {
    "entry": [
      "src/*.ts"
    ],
    "project": [
      "src/**/*.ts"
    ]
  },
  "chaos": {
    "project": [
      "src/**/*.ts"
    ]
  }
};
for (const app of readdirSync("apps")) {
  const own = workspaces[`apps/${app}`] ?? { project: ["src/**/*.{ts,tsx}"] };
  const entry = [...(own.entry ?? []), "src/main.ts"];
  workspaces[`apps/${app}`] = { ...own, entry, ignoreDependencies: appDependencies(app) };
}

const config = {
  ignoreBinaries: ["redis-server", "docker-compose"],
  workspaces,
};
export default config;
