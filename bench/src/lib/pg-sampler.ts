// Samples pg_stat_activity (and ungranted pg_locks) every few ms during a measured window: what the
// writer's and the cleanup's backends wait on, and whether a checkpoint is running.
import postgres from "postgres";

export interface Sample {
  /** performance.now() of the sample. */
  t: number;
  /** Wait events of the writer's active backends ("CPU" when running). */
  writer: string[];
  /** Wait event of the cleanup's backend, if active. */
  cleanup: string | undefined;
  /** The checkpointer is doing something other than sleeping. */
  checkpoint: boolean;
  /** Ungranted locks ("locktype relation mode") seen in the database. */
  lockWaits: string[];
}

interface Row {
  application_name: string;
  backend_type: string;
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  locks: string | null;
}

/** Starts sampling every `periodMs`; stop() resolves the samples. */
export function startSampler(url: string, periodMs: number, writerApp: string, cleanupApp: string): { stop(): Promise<Sample[]> } {
  const samples: Sample[] = [];
  if (periodMs <= 0) return { stop: () => Promise.resolve(samples) };
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: "bench-cleanup-sampler" } });
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const t = performance.now();
      const rows = await sql<Row[]>`
        SELECT a.application_name, a.backend_type, a.state, a.wait_event_type, a.wait_event,
               (SELECT string_agg(l.locktype || ' ' || coalesce(l.relation::regclass::text, '') || ' ' || l.mode, ', ')
                  FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted) AS locks
        FROM pg_stat_activity a
        WHERE a.pid <> pg_backend_pid() AND (a.datname = current_database() OR a.backend_type = 'checkpointer')`;
      const sample: Sample = { t, writer: [], cleanup: undefined, checkpoint: false, lockWaits: [] };
      for (const r of rows) {
        const event = r.wait_event_type ? `${r.wait_event_type}:${r.wait_event}` : "CPU";
        if (r.backend_type === "checkpointer") sample.checkpoint = r.wait_event !== "CheckpointerMain";
        else if (r.state !== "active") continue;
        else if (r.application_name === writerApp) sample.writer.push(event);
        else if (r.application_name === cleanupApp) sample.cleanup = event;
        if (r.locks) sample.lockWaits.push(r.locks);
      }
      samples.push(sample);
      const left = periodMs - (performance.now() - t);
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      await sql.end();
      return samples;
    },
  };
}

/** "event ×n" for the most frequent entries, most frequent first. */
export function topCounts(items: readonly string[], limit = 5): string {
  const counts = new Map<string, number>();
  for (const i of items) counts.set(i, (counts.get(i) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([k, n]) => `${k} ×${n}`).join(", ") || "–";
}
