import { createRequire } from "node:module";
import { hostname } from "node:os";
import pino, { type DestinationStream, type LevelWithSilent, type Logger } from "pino";
import type PinoPretty from "pino-pretty";
import { secretScrubber } from "./scrub";
import { serializeError } from "./serialize-error";

/** A process logger (pino): JSON lines on stdout, one child per job with its ids bound. */
export type ProcessLog = Logger;

/** The levels LOG_LEVEL accepts, most severe first. */
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const satisfies readonly LevelWithSilent[];
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ProcessLogOptions {
  /** The `app` field of every line. */
  app: string;
  /** Default "info". */
  level?: LogLevel;
  /** Human-readable lines (pino-pretty) instead of JSON: development only. */
  pretty?: boolean;
  /** Secret values (see secretsOf) replaced in every line, whatever field carries them. */
  secrets?: readonly (string | undefined)[];
  /** Where lines go (default stdout, written synchronously so a crash loses none); tests pass a stream. */
  destination?: DestinationStream;
}

// Field names whose values are secrets wherever they appear (one level deep, and in headers).
const REDACT_PATHS = [
  "password",
  "secret",
  "token",
  "apiKey",
  "authorization",
  "cookie",
  "databaseUrl",
  "redisUrl",
  "connectionString",
  "*.password",
  "*.secret",
  "*.token",
  "*.apiKey",
  "*.authorization",
  "*.cookie",
  "*.databaseUrl",
  "*.redisUrl",
  "*.connectionString",
  "headers.authorization",
  "headers.cookie",
  '*.headers["set-cookie"]',
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["x-cron-secret"]',
  'headers["x-cron-secret"]',
];

// pino-pretty is a development tool (a devDependency): required only when pretty output is asked
// for, through a require the bundler leaves alone, so production installs and images go without it.
function prettyStream(out: DestinationStream, colorize: boolean): DestinationStream | undefined {
  let pretty: typeof PinoPretty;
  try {
    pretty = createRequire(__filename)("pino-pretty") as typeof PinoPretty;
  } catch {
    out.write(`${JSON.stringify({ level: "warn", time: new Date().toISOString(), msg: "pino-pretty is not installed (a devDependency): JSON lines instead of pretty ones" })}\n`);
    return undefined;
  }
  return pretty({ destination: out, colorize, sync: true, ignore: "pid,hostname" });
}

/** Creates the process logger of `app`: JSON lines with `app`, ISO `time` and level names; secrets scrubbed. */
export function createProcessLog(options: ProcessLogOptions): ProcessLog {
  const scrub = secretScrubber(options.secrets ?? []);
  const out = options.destination ?? pino.destination({ dest: 1, sync: true });
  const destination = (options.pretty && prettyStream(out, !options.destination && process.stdout.isTTY)) || out;
  return pino(
    {
      level: options.level ?? "info",
      base: { app: options.app, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError, error: serializeError, cause: serializeError },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      hooks: { streamWrite: scrub },
    },
    destination,
  );
}
