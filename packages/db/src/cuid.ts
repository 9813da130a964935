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

function randomBlock(): string {
  return pad(randomBytes(4).readUInt32BE(0).toString(BASE), 4);
}

/** A collision-resistant id in Prisma's `cuid()` format. */
export function createId(): string {
  counter = (counter + 1) % BASE ** 4;
  return (
    "c" +
    pad(Date.now().toString(BASE), 8) +
    pad(counter.toString(BASE), 4) +
    fingerprint +
    randomBlock() +
    randomBlock()
  );
}
