export { createProcessLog, LOG_LEVELS, type LogLevel, type ProcessLog, type ProcessLogOptions } from "./create-process-log";
export { scrubText, secretScrubber, secretsOf } from "./scrub";
export { serializeError } from "./serialize-error";
