// Project lint (`pnpm lint` runs it with knip): typescript-eslint with type information, no import
// cycles, the layering of the workspace, and config read only in env modules.
import { readdirSync } from "node:fs";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import importX from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";
import { APPS } from "./scripts/apps.mjs";

// Packages by layer, lowest first: a package's source imports only packages of lower layers
// (tests and test fixtures are not layered: they may use testing and standins).
const LAYERS = [
  ["errors", "db", "standins", "email-schemas", "process-log"],
  ["emails", "integrations", "audit-log", "testing", "tracing"],
  ["queues", "reconciler"],
  // The producer is built on the queue catalog; the worker runtime enqueues through it.
  ["producer"],
  ["runtime"],
];
// Every package has a layer: with imports only downwards, no cycle between packages can form.
const unlayered = readdirSync(new URL("./packages", import.meta.url)).filter((p) => !LAYERS.flat().includes(p));
if (unlayered.length) throw new Error(`eslint.config.mjs: give packages/${unlayered.join(", packages/")} a place in LAYERS`);
// Node's globals for the JavaScript files (no `globals` package needed for this short list).
const readonly = (names) => Object.fromEntries(names.map((name) => [name, "readonly"]));
const NODE_GLOBALS = readonly(["process", "console", "Buffer", "URL", "URLSearchParams", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "structuredClone", "fetch", "AbortController", "AbortSignal", "TextEncoder", "TextDecoder", "queueMicrotask"]);
const COMMONJS_GLOBALS = readonly(["require", "module", "exports", "__dirname", "__filename"]);
const TESTS = ["**/*.test.ts", "**/*.test.tsx", "**/test-fixtures/**", "**/test-seed.ts", "packages/testing/**", "packages/standins/**"];

const restrict = (names, message) => ({ group: names.map((n) => `@callastar/${n}`).flatMap((p) => [p, `${p}/*`]), message });
const layerRules = LAYERS.flatMap((layer, i) => {
  const above = LAYERS.slice(i).flat();
  return layer.map((pkg) => ({
    files: [`packages/${pkg}/src/**/*.{ts,tsx}`],
    ignores: TESTS.filter((g) => !g.startsWith("packages/")),
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        restrict(APPS, "packages never import apps (dependencies point apps → packages)"),
        restrict(above.filter((p) => p !== pkg), `@callastar/${pkg} may import only lower layers (see LAYERS in eslint.config.mjs)`),
      ].filter((p) => p.group.length > 0) }],
    },
  }));
});

export default tseslint.config(
  // What .gitignore lists (generated or scratch) and what is not TypeScript source.
  { ignores: ["**/node_modules/**", "**/dist/**", "**/.turbo/**", "coverage/**", ".demo/**", "**/.spool/**", "tmp/**", "**/.prisma-client/**", "drizzle/**", "**/*.d.ts"] },
  // JavaScript sources (scripts, configs, the installable packages' test app): the rules that need
  // no type information, with Node's globals.
  ...tseslint.configs.recommended.map((c) => ({ ...c, files: ["**/*.{js,mjs,cjs}"] })),
  {
    files: ["**/*.{js,mjs,cjs}"],
    languageOptions: { globals: NODE_GLOBALS },
    rules: { "no-undef": "error" },
  },
  { files: ["**/*.{js,cjs}"], languageOptions: { globals: COMMONJS_GLOBALS }, rules: { "@typescript-eslint/no-require-imports": "off" } },
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ["**/*.{ts,tsx}"] })),
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname } },
    plugins: { "import-x": importX },
    settings: {
      "import-x/extensions": [".ts", ".tsx"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/resolver-next": [createTypeScriptImportResolver({ project: "tsconfig.json" })],
    },
    rules: {
      // Between a package's files; between packages, the layers below rule cycles out.
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      // Async functions that implement a Promise-returning interface (transports, fakes, hooks) need
      // no await; floating and misused promises are still caught by the rules that matter.
      "@typescript-eslint/require-await": "off",
      // A caught or thrown `unknown` passes through as it came; rejecting with a literal is still an error.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
      // An `unknown` narrowed to `{}` is stringified on purpose (formatters of thrown values and row
      // contexts); objects of known types without a toString are still caught.
      "@typescript-eslint/no-base-to-string": ["error", { ignoredTypeNames: ["Error", "RegExp", "URL", "URLSearchParams", "{}"] }],
    },
  },
  {
    // Another member's files are reached through its package name, never a relative path (bench,
    // chaos and scripts sit above the workspace and may reach into an app's source).
    files: ["apps/*/src/**/*.{ts,tsx}", "packages/*/src/**/*.{ts,tsx}"],
    rules: { "import-x/no-relative-packages": "error" },
  },
  {
    // jest's asymmetric matchers (expect.any, expect.objectContaining…) are typed `any`.
    files: ["**/*.test.ts", "**/*.test.tsx"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
  {
    // Config is read once, in one env module per app (validated with zod); packages take arguments.
    files: ["apps/*/src/**/*.{ts,tsx}", "packages/*/src/**/*.{ts,tsx}"],
    ignores: ["**/env.ts", "**/*.test.ts", "**/*.test.tsx"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "read config in an env.ts module and pass it as arguments" }],
    },
  },
  {
    // The benchmarks read theirs in bench/src/lib (env.ts and one <bench>-env.ts per benchmark).
    files: ["bench/src/**/*.ts"],
    ignores: ["bench/src/lib/env.ts", "bench/src/lib/*-env.ts"],
    rules: {
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "read config in a bench/src/lib env module" }],
    },
  },
  {
    files: ["apps/*/src/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [restrict(APPS, "apps never import each other (share code through a package)")] }],
    },
  },
  ...layerRules,
);
