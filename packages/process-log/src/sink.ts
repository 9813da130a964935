// What a library needs from a logger, without pino: the installable producer and audit logger run
// in the main app, which brings its own logging. An app passes its pino logger (it fits this shape).
import { hostname } from "node:os";
import { scrubText } from "./scrub";
import { serializeError } from "./serialize-error";

type Fields = Record<string, unknown>;

/** The logging calls the library code makes (a pino logger satisfies it). */
export interface LogSink {
  error(fields: Fields, message: string): void;
  warn(fields: Fields, message: string): void;
  info(fields: Fields, message: string): void;
  child(bindings: Fields): LogSink;
}

/** A dependency-free sink writing the same JSON lines as the apps' logger (errors serialized, text scrubbed). */
export function jsonLineSink(bindings: Fields = { app: "callastar" }, write: (line: string) => void = (line) => process.stdout.write(line)): LogSink {
  const at = (level: string) => (fields: Fields, message: string) => {
    const line: Fields = { level, time: new Date().toISOString(), pid: process.pid, hostname: hostname(), ...bindings };
    for (const [key, value] of Object.entries(fields)) line[key] = value instanceof Error || key === "err" ? serializeError(value) : value;
    line.msg = message;
    try {
      write(`${scrubText(JSON.stringify(line))}\n`);
    } catch {
      // stdout closed (process exiting): nothing else to do for an operational line.
    }
  };
  return { error: at("error"), warn: at("warn"), info: at("info"), child: (more) => jsonLineSink({ ...bindings, ...more }, write) };
}

let fallback: LogSink | undefined;

/** The sink of a library used without a logger: JSON at info on stdout, app "callastar". */
export function fallbackLogSink(): LogSink {
  fallback ??= jsonLineSink();
  return fallback;
}
