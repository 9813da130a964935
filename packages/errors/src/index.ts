export { PermanentError } from "./permanent-error";
export { TransientError } from "./transient-error";
export { RateLimitedError } from "./rate-limited-error";
export { ValidationError } from "./validation-error";
export { isPermanent, parseRetryAfter } from "./classify";
export { markAudited, isAudited } from "./audited";
export { isDatabaseUnavailable, unavailableReason } from "./database-unavailable";
