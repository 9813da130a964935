import postgres from "postgres";
import { prepareDatabase } from "@callastar/testing";

/** URL of another database on the same server as `base`. */
export function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops and recreates `name`, then applies every migration. */
export function freshDatabase(adminUrl: string, name: string): Promise<string> {
  return prepareDatabase(adminUrl, name, { fresh: true });
}

/** True when the database exists. */
export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    return (await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`).length > 0;
  } finally {
    await admin.end();
  }
}
