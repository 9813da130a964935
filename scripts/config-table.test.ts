import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_SPOOL_LEASE_MS } from "../packages/audit-log/src/env";
import { APP_ENV_SCHEMAS, TABLE_END, TABLE_START, renderConfigTable, withConfigTable } from "./config-table";

const root = resolve(__dirname, "..");
const page = readFileSync(join(root, "docs", "configuration.md"), "utf8");
const table = renderConfigTable();
const row = (name: string) => table.split("\n").find((line) => line.startsWith(`| \`${name}\` |`));

describe("docs/configuration.md's table", () => {
  it("is the one generated from the apps' env schemas (run `pnpm docs:config` after changing a schema)", () => {
    expect(withConfigTable(page, table)).toBe(page);
  });

  it("covers every app under apps/", () => {
    expect(APP_ENV_SCHEMAS.map(([app]) => app).sort()).toEqual(readdirSync(join(root, "apps")).sort());
  });

  it("names, with its default and form, what only env.ts used to say", () => {
    expect(row("PAYOUT_STALE_PROCESSING_MINUTES")).toContain("| payout-worker | `10` |");
    expect(row("STRIPE_TIMEOUT_MS")).toContain("| payout-worker | `30000` |");
    expect(row("ROOMS_CONCURRENCY")).toContain("| room-worker | `5` |");
    expect(row("STRIPE_API_BASE")).toContain("origin without a path");
    expect(row("DAILY_API_URL")).toContain("version path `/v1`");
    expect(row("DATABASE_URL")).toContain("| every app | **required** |");
    expect(row("SHUTDOWN_TIMEOUT_MS")).toContain("`10000` (outbox-relay, dashboard)");
    // The logger reads LOG_SPOOL_LEASE_MS itself; the apps' schema documents and checks the same default.
    expect(row("LOG_SPOOL_LEASE_MS")).toContain(`| \`${DEFAULT_SPOOL_LEASE_MS}\` |`);
  });

  it("refuses a variable without a description, and one described twice", () => {
    const undescribed = { shape: { NEW_VARIABLE: { _zod: { def: { type: "string" } } } } };
    expect(() => renderConfigTable([["some-app", undescribed]])).toThrow("NEW_VARIABLE: no .describe() in apps/some-app/src/env.ts");
    const twice = (description: string) => ({ shape: { X: { description, _zod: { def: { type: "string" } } } } });
    expect(() => renderConfigTable([["a", twice("one")], ["b", twice("two")]])).toThrow("X: described differently by a, b");
  });

  it("is written between one pair of markers, and a stale table is replaced", () => {
    const stale = page.replace(row("ROOMS_CONCURRENCY")!, "| `ROOMS_CONCURRENCY` | room-worker | `4` | old |");
    expect(stale).not.toBe(page);
    expect(withConfigTable(stale, table)).toBe(page);
    expect(() => withConfigTable(`${page}\n${TABLE_START}\n${TABLE_END}\n`, table)).toThrow("between one");
  });
});
