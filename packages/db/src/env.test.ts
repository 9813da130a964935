import { readMigrateEnv } from "./env";

describe("readMigrateEnv", () => {
  it("refuses to guess a database: DATABASE_URL is required and must be a postgres URL", () => {
    expect(() => readMigrateEnv({})).toThrow(/^DATABASE_URL: required/);
    expect(() => readMigrateEnv({ DATABASE_URL: "mysql://x" })).toThrow("DATABASE_URL: must be a postgres:// URL");
    expect(readMigrateEnv({ DATABASE_URL: "postgres://u@h:5432/db" })).toEqual({ databaseUrl: "postgres://u@h:5432/db" });
  });
});
