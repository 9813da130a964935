import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

// Prisma's cuid() (v1 layout): 'c' + time + counter + fingerprint + random, base36, 25 chars.
const BASE = 36;
const pad = (s: string, n: number) => s.padStart(n, "0").slice(-n);
let counter = randomBytes(2).readUInt16BE(0);
const fingerprint = (() => {
  const pid = pad(process.pid.toString(BASE), 2);
  const host = hostname();
  let sum = host.length + BASE;
  for (let i = 0; i < host.length; i++) sum += host.charCodeAt(i);
  return pid + pad(sum.toString(BASE), 2);
})();

// One randomBytes call per 1024 ids: the per-call syscall dominated id creation (~9 µs/id). Each id
// takes 48 random bits and keeps their last 8 base-36 digits (the two 4-digit random blocks).
const POOL_IDS = 1024;
let pool = randomBytes(6 * POOL_IDS);
let poolOffset = 0;
function randomBlocks(): string {
  if (poolOffset >= pool.length) {
    pool = randomBytes(6 * POOL_IDS);
    poolOffset = 0;
  }
  const value = pool.readUIntBE(poolOffset, 6);
  poolOffset += 6;
  return pad(value.toString(BASE), 8);
}

// The time block changes once per millisecond while ids are made by the thousand: format it once.
let timeMs = Number.NaN;
let timeBlock = "";

/** A collision-resistant id in Prisma's `cuid()` format. */
export function createId(): string {
  counter = (counter + 1) % BASE ** 4;
  const now = Date.now();
  if (now !== timeMs) {
    timeMs = now;
    timeBlock = pad(now.toString(BASE), 8);
  }
  return "c" + timeBlock + pad(counter.toString(BASE), 4) + fingerprint + randomBlocks();
}
