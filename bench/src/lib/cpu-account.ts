// CPU spent during a measured window, by this process and by the local PostgreSQL and Redis
// servers (read from /proc: their processes' utime + stime). Off Linux, or with the servers on
// another host, the server figures are null: the bench prints what it could read.
import { readdirSync, readFileSync } from "node:fs";

export interface CpuSpent {
  /** This process (every thread), µs. */
  node: number;
  /** All local processes named postgres*, µs; null when none could be read. */
  postgres: number | null;
  /** All local processes named redis*, µs; null when none could be read. */
  redis: number | null;
}

const CLOCK_TICK_US = 10_000; // USER_HZ is 100 on Linux

function serverTicks(): { postgres: number | null; redis: number | null } {
  let postgres: number | null = null;
  let redis: number | null = null;
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return { postgres, redis };
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const close = stat.lastIndexOf(")");
    const name = stat.slice(stat.indexOf("(") + 1, close);
    // Fields after the name: state is field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(close + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (name.startsWith("postgres")) postgres = (postgres ?? 0) + ticks;
    else if (name.startsWith("redis")) redis = (redis ?? 0) + ticks;
  }
  return { postgres, redis };
}

/** Starts counting; `stop()` returns the CPU spent since. */
export function startCpuAccount(): { stop(): CpuSpent } {
  const node = process.cpuUsage();
  const servers = serverTicks();
  return {
    stop() {
      const n = process.cpuUsage(node);
      const now = serverTicks();
      const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : (b - a) * CLOCK_TICK_US);
      return { node: n.user + n.system, postgres: delta(servers.postgres, now.postgres), redis: delta(servers.redis, now.redis) };
    },
  };
}
