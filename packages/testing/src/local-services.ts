// For `pnpm demo` on a newcomer's machine: use the PostgreSQL and Redis that answer at the configured
// URLs, else start private ones from the installed binaries (ports of their own, data in a scratch
// folder), else `docker compose up -d postgres redis` where Docker runs, else say in one line what to
// install — never a connection-refused stack trace.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";

/** Where each service came from, and how to stop what this process started. */
export interface LocalServices {
  postgresUrl: string;
  redisUrl: string;
  started: string[];
  stop(): Promise<void>;
}

/** What cannot be started here, in one line naming what to install. */
export class MissingServiceError extends Error {
  override readonly name = "MissingServiceError";
}

/** True when something accepts TCP connections at host:port within `timeoutMs`. */
export function isListening(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function hostPort(url: string, fallbackPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port: u.port ? Number(u.port) : fallbackPort };
}

function onPath(binary: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${binary}`], { stdio: "ignore" }).status === 0;
}

/** PostgreSQL's server binaries: on PATH, or where Debian installs them (not on PATH there). */
export function findPostgresBin(): string | undefined {
  if (onPath("initdb") && onPath("pg_ctl")) return "";
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, "bin", "initdb"))) return join(root, v, "bin");
  return undefined;
}

function dockerRuns(): boolean {
  return onPath("docker") && spawnSync("docker", ["info"], { stdio: "ignore", timeout: 5_000 }).status === 0;
}

async function waitListening(host: string, port: number, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isListening(host, port))) {
    if (Date.now() > deadline) throw new MissingServiceError(`${what} did not start listening on ${host}:${port} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** initdb and postgres refuse to run as root: the command run as the `postgres` user when we are root. */
export function asServiceUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ["runuser", ["-u", "postgres", "--", command, ...args]];
}

async function startPrivatePostgres(bin: string, dir: string, port: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const tool = (name: string) => (bin ? join(bin, name) : name);
  const data = join(dir, "postgres");
  mkdirSync(data, { recursive: true });
  if (process.getuid?.() === 0) chmodSync(dir, 0o755); // the postgres user must reach its data folder
  if (process.getuid?.() === 0) chownSync(data, Number(execFileSync("id", ["-u", "postgres"]).toString()), Number(execFileSync("id", ["-g", "postgres"]).toString()));
  if (!existsSync(join(data, "PG_VERSION"))) {
    const [cmd, args] = asServiceUser(tool("initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync"]);
    const init = spawnSync(cmd, args, { stdio: "pipe" });
    if (init.status !== 0) throw new MissingServiceError(`initdb failed: ${init.stderr.toString().trim().split("\n").pop()}`);
  }
  const [cmd, args] = asServiceUser(tool("pg_ctl"), ["-D", data, "-l", join(data, "server.log"), "-w", "-o", `-p ${port} -k ${data} -c listen_addresses=127.0.0.1`, "start"]);
  const start = spawnSync(cmd, args, { stdio: "pipe" });
  if (start.status !== 0) throw new MissingServiceError(`PostgreSQL did not start (see ${join(data, "server.log")})`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      const [c, a] = asServiceUser(tool("pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]);
      spawnSync(c, a, { stdio: "ignore" });
    },
  };
}

async function startPrivateRedis(dir: string, port: number): Promise<{ url: string; stop: () => Promise<void> }> {
  const data = join(dir, "redis");
  mkdirSync(data, { recursive: true });
  const child: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", data, "--appendonly", "yes", "--save", ""], {
    stdio: "ignore",
  });
  await waitListening("127.0.0.1", port, "redis-server");
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * Makes sure a PostgreSQL and a Redis answer: the ones at `postgresUrl`/`redisUrl` when they do,
 * otherwise private instances on `privatePorts` with data under `scratchDir`, otherwise Docker
 * Compose's services; throws MissingServiceError with one line saying what to install.
 */
export async function ensureLocalServices(options: {
  postgresUrl: string;
  redisUrl: string;
  scratchDir: string;
  privatePorts?: { postgres: number; redis: number };
  log?: (line: string) => void;
}): Promise<LocalServices> {
  const log = options.log ?? (() => {});
  const ports = options.privatePorts ?? { postgres: 54329, redis: 63799 };
  const started: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  let postgresUrl = options.postgresUrl;
  let redisUrl = options.redisUrl;
  const pg = hostPort(postgresUrl, 5432);
  const rd = hostPort(redisUrl, 6379);
  const pgUp = await isListening(pg.host, pg.port);
  const redisUp = await isListening(rd.host, rd.port);

  if (!pgUp) {
    const bin = findPostgresBin();
    if (await isListening("127.0.0.1", ports.postgres)) {
      postgresUrl = `postgres://postgres@127.0.0.1:${ports.postgres}/postgres`; // ours, from an earlier run
    } else if (bin !== undefined) {
      const instance = await startPrivatePostgres(bin, options.scratchDir, ports.postgres);
      postgresUrl = instance.url;
      stops.push(instance.stop);
      started.push(`PostgreSQL on 127.0.0.1:${ports.postgres} (data in ${join(options.scratchDir, "postgres")})`);
    } else if (dockerRuns()) {
      spawnSync("docker", ["compose", "up", "-d", "postgres"], { stdio: "inherit" });
      await waitListening(pg.host, pg.port, "PostgreSQL (docker compose)", 60_000);
      started.push("PostgreSQL with docker compose");
    } else {
      throw new MissingServiceError(
        `PostgreSQL is not running at ${pg.host}:${pg.port} and cannot be started here: install it (apt-get install postgresql) or Docker (then docker compose up -d postgres redis)`,
      );
    }
  }
  if (!redisUp) {
    if (await isListening("127.0.0.1", ports.redis)) {
      redisUrl = `redis://127.0.0.1:${ports.redis}`;
    } else if (onPath("redis-server")) {
      const instance = await startPrivateRedis(options.scratchDir, ports.redis);
      redisUrl = instance.url;
      stops.push(instance.stop);
      started.push(`Redis on 127.0.0.1:${ports.redis} (AOF in ${join(options.scratchDir, "redis")})`);
    } else if (dockerRuns()) {
      spawnSync("docker", ["compose", "up", "-d", "redis"], { stdio: "inherit" });
      await waitListening(rd.host, rd.port, "Redis (docker compose)", 60_000);
      started.push("Redis with docker compose");
    } else {
      throw new MissingServiceError(
        `Redis is not running at ${rd.host}:${rd.port} and cannot be started here: install it (apt-get install redis-server) or Docker (then docker compose up -d postgres redis)`,
      );
    }
  }
  for (const line of started) log(`started ${line}`);
  return {
    postgresUrl,
    redisUrl,
    started,
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
