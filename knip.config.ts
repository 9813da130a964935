// knip: unused files, exports and dependencies (`pnpm lint`). An app's "dependencies" are what its
// bundle requires at run time; scripts/build-app.mjs checks them both ways, since knip cannot see
// through the workspace packages compiled into the bundle, so knip leaves them alone here.
import { readdirSync, readFileSync } from "node:fs";

const appDependencies = (app: string): string[] =>
  Object.keys((JSON.parse(readFileSync(`apps/${app}/package.json`, "utf8")) as { dependencies?: Record<string, string> }).dependencies ?? {});

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
  "packages/logger": {
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
