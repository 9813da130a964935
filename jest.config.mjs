/** One jest run over every workspace member; real PostgreSQL and Redis, isolated per file. */
export default {
  testEnvironment: "node",
  rootDir: ".",
  testMatch: ["<rootDir>/{apps,packages}/*/src/**/*.test.{ts,tsx}", "<rootDir>/scripts/**/*.test.ts"],
  transform: {
    "^.+\\.(t|j)sx?$": [
      "@swc/jest",
      {
        jsc: {
          parser: { syntax: "typescript", tsx: true },
          transform: { react: { runtime: "automatic" } },
          target: "es2022",
        },
        module: { type: "commonjs" },
      },
    ],
  },
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  globalSetup: "<rootDir>/packages/testing/src/global-setup.ts",
  testTimeout: 60_000,
  maxWorkers: 2,
  testSequencer: "<rootDir>/scripts/jest-sequencer.cjs",
};
