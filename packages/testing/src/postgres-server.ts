// A private PostgreSQL server for tests that stop or crash the server itself (`pg_ctl stop -m
// fast|immediate`): a proxy cut is not a restart. Never the shared server on 5432.
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, cpSync, existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asServiceUser, findPostgresBin, isListening } from "./local-services";
import { freePort } from "./redis";

export interface PostgresServer {
  port: number;
  /** The data directory. */
  dir: string;
  /** URL of database `database` (default `postgres`) on this server. */
  url(database?: string): string;
  /** `pg_ctl stop -m fast` (clean) or `immediate` (a crash: no checkpoint, clients cut); waits until down. */
  stop(mode?: "fast" | "immediate"): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it (immediate) and removes its data. Idempotent. */
  destroy(): Promise<void>;
}

function tools(): (name: string) => string {
  const bin = findPostgresBin();
  if (bin === undefined) throw new Error("PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql");
  return (name) => (bin ? join(bin, name) : name);
}

function run(command: string, args: string[], what: string): void {
  const [cmd, argv] = asServiceUser(command, args);
  const result = spawnSync(cmd, argv, { stdio: "pipe", timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${what} failed: ${(result.stderr?.toString() || String(result.error)).trim().split("\n").pop()}`);
}

function chownToServiceUser(path: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
  chownSync(path, uid, gid);
}

// initdb costs seconds; one initialised cluster per machine is copied for each server.
function initialisedCluster(tool: (name: string) => string): string {
  const cached = join(tmpdir(), `callastar-pg-initdb-${process.getuid?.() ?? 0}`);
  if (existsSync(join(cached, "PG_VERSION"))) return cached;
  const building = mkdtempSync(join(tmpdir(), "callastar-pg-initdb-build-"));
  chownToServiceUser(building);
  run(tool("initdb"), ["-D", building, "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions"], "initdb");
  try {
    renameSync(building, cached);
  } catch {
    rmSync(building, { recursive: true, force: true }); // a concurrent caller finished first
  }
  return cached;
}

/**
 * Starts a private PostgreSQL server on a free port (trust auth, user `postgres`) with its own data
 * directory, which the test may stop fast or immediate and start again.
 */
export async function startPostgresServer(options: { port?: number; maxConnections?: number } = {}): Promise<PostgresServer> {
  const tool = tools();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "callastar-pg-"));
  cpSync(initialisedCluster(tool), dir, { recursive: true });
  if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres:postgres", dir]);
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    `-c max_connections=${options.maxConnections ?? 300}`,
    // A server crash (immediate stop) keeps every commit without these; only an OS crash would not,
    // and that is not what these tests make. synchronous_commit stays on: off loses recent commits.
    "-c fsync=off",
    "-c full_page_writes=off",
  ].join(" ");
  let destroyed = false;
  const server: PostgresServer = {
    port,
    dir,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async start() {
      run(tool("pg_ctl"), ["-D", dir, "-l", join(dir, "server.log"), "-w", "-t", "60", "-o", settings, "start"], `PostgreSQL start on port ${port}`);
      const deadline = Date.now() + 30_000;
      while (!(await isListening("127.0.0.1", port))) {
        if (Date.now() > deadline) throw new Error(`PostgreSQL on port ${port} does not accept connections (see ${join(dir, "server.log")})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(mode = "fast") {
      run(tool("pg_ctl"), ["-D", dir, "-m", mode, "-w", "-t", "60", "stop"], `PostgreSQL stop (${mode}) on port ${port}`);
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      if (existsSync(join(dir, "postmaster.pid"))) {
        const [cmd, argv] = asServiceUser(tool("pg_ctl"), ["-D", dir, "-m", "immediate", "-w", "stop"]);
        spawnSync(cmd, argv, { stdio: "ignore", timeout: 60_000 });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
