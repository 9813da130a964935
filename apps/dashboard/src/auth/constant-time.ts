import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Constant-time string equality. Both sides are hashed first so timingSafeEqual always compares 32
 * bytes: neither the content nor the length of the secret leaks through response time.
 */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}
