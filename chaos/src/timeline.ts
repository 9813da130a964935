// The chaos phase: the workload fed through the producer API and the outbox on its timetable, and
// the faults — a random worker SIGKILLed every ~2 s, the run's PostgreSQL server stopped fast and
// later crashed (each down for ~10 s, then started again), one cut of its connections, one Redis
// restart, the stand-ins answering 429/5xx and dropping connections before and after the work.
import type { Producer } from "@callastar/producer";
import { SCHEDULER_IDS } from "@callastar/queues";
import { outboxRow, outboxStatement } from "@callastar/producer";
import type { Fleet } from "./fleet";
import type { Infra } from "./infra";
import type { Workload } from "./workload";

export const WORKER_APPS = ["email-worker", "room-worker", "payout-worker", "maintenance-worker"] as const;
/** Every app a kill may hit: the workers and the outbox relay. */
const KILLABLE_APPS = [...WORKER_APPS, "outbox-relay"] as const;

/** Fault rates while chaos is on (each request draws; 429s do not burn attempts). */
const FAULTS = { failRate: 0.05, rateLimitRate: 0.05, dropRate: 0.03, dropAfterRate: 0.05 };

export interface TimelineReport {
  events: string[];
  /** Producer calls that never succeeded (their entity is not counted in the workload). */
  refused: string[];
  /** Real stops and starts of the run's PostgreSQL and Redis servers. */
  serverRestarts: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Retries a producer call through a Redis restart (the main app would retry or use its outbox). */
async function persist(call: () => Promise<unknown>, deadline: number): Promise<string | undefined> {
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      await call();
      return undefined;
    } catch (error) {
      last = error;
      await sleep(250);
    }
  }
  return String(last);
}

function faultsOn(infra: Infra): void {
  const { failRate, rateLimitRate, dropRate, dropAfterRate } = FAULTS;
  infra.resend.setFaults({ failRate, rateLimitRate, dropRate, dropAfterAcceptRate: dropAfterRate, retryAfterSeconds: 1 });
  infra.stripe.setFaults({ failRate, rateLimitRate, dropRate, dropAfterCommitRate: dropAfterRate });
  infra.daily.setFaults({ failRate, rateLimitRate, dropRate, dropAfterDeleteRate: dropAfterRate, retryAfterSeconds: 1 });
}

export function faultsOff(infra: Infra): void {
  infra.resend.setFaults({ failRate: 0, rateLimitRate: 0, dropRate: 0, dropAfterAcceptRate: 0 });
  infra.stripe.setFaults({ failRate: 0, rateLimitRate: 0, dropRate: 0, dropAfterCommitRate: 0 });
  infra.daily.setFaults({ failRate: 0, rateLimitRate: 0, dropRate: 0, dropAfterDeleteRate: 0 });
}

/** Runs the chaos phase for `seconds`; resolves when every fault is off again. */
export async function runChaos(deps: {
  infra: Infra;
  fleet: Fleet;
  producer: Producer;
  workload: Workload;
  seconds: number;
  random: () => number;
  log: (line: string) => void;
}): Promise<TimelineReport> {
  const { infra, fleet, producer, workload, seconds, random, log } = deps;
  const start = Date.now();
  const end = start + seconds * 1000;
  const events: string[] = [];
  const refused: string[] = [];
  const note = (line: string) => {
    const stamped = `+${((Date.now() - start) / 1000).toFixed(1)}s ${line}`;
    events.push(stamped);
    log(stamped);
  };
  const at = (offsetSeconds: number, action: () => Promise<void>) =>
    sleep(Math.max(0, start + offsetSeconds * 1000 - Date.now())).then(action);
  const feedDeadline = end + 60_000;

  faultsOn(infra);
  note("stand-in faults on (429, 5xx, drops before and after the work)");

  const feeds: Promise<void>[] = [];
  feeds.push(
    at(0, async () => {
      for (const r of workload.reminders.filter((x) => x.scheduled)) {
        const failed = await persist(() => producer.scheduleBookingReminder({ bookingId: r.bookingId, callDateTime: r.callDateTime }), feedDeadline);
        // A reminder the producer refused is still due: the sweep must catch it, so it stays expected.
        if (failed) note(`producer refused reminder of ${r.bookingId} (${failed}); left to the sweep`);
      }
    }),
  );
  for (const e of workload.adhoc) {
    const input = {
      template: "payment_received" as const,
      props: { recipientName: "Chaos Fan", amount: 6_800, currency: "EUR", callTitle: "Chaos call" },
      to: e.to,
      idempotencyKey: e.key,
    };
    // Half as the main app calls the producer, half committed in its own transaction (the outbox).
    const outboxed = outboxStatement(outboxRow("enqueueEmail", input));
    const enqueue = e.viaOutbox ? () => infra.db.sql.unsafe(outboxed.text, outboxed.values as never) : () => producer.enqueueEmail(input);
    feeds.push(
      at(e.at, async () => {
        const failed = await persist(enqueue, feedDeadline);
        if (failed) refused.push(`ad-hoc email ${e.key}: ${failed}`);
        else e.accepted = true;
      }),
    );
  }
  for (const p of workload.payouts.filter((x) => x.at !== null)) {
    feeds.push(at(p.at!, async () => void (await persist(() => producer.enqueuePayout({ payoutId: p.payoutId }), feedDeadline))));
  }
  for (const r of workload.rooms.filter((x) => x.at !== null)) {
    feeds.push(at(r.at!, async () => void (await persist(() => producer.enqueueRoomDeletion({ bookingId: r.bookingId, roomName: r.roomName }), feedDeadline))));
  }
  // Every cron once on demand mid-run (the ops API's path), besides the scheduler's short patterns.
  feeds.push(
    at(seconds * 0.45, async () => {
      for (const id of SCHEDULER_IDS) await persist(() => producer.runCron(id, "chaos"), feedDeadline);
      note("every cron triggered on demand");
    }),
  );

  let serverRestarts = 0;
  const outage = Math.min(10, seconds / 6);
  const faults: Promise<void>[] = [
    at(seconds * 0.15, () => restartPostgres(infra, "fast", outage, note).then(() => void serverRestarts++)),
    at(seconds * 0.35, async () => {
      infra.proxy.cut();
      note(`PostgreSQL connections cut for ${outage} s (proxy)`);
      await sleep(outage * 1000);
      infra.proxy.restore();
      note("PostgreSQL connections back");
    }),
    at(seconds * 0.6, async () => {
      await infra.restartRedis();
      serverRestarts++;
      note(`${infra.redisFault} (port ${infra.redis.port})`);
    }),
    at(seconds * 0.75, () => restartPostgres(infra, "immediate", outage, note).then(() => void serverRestarts++)),
  ];

  let killing = true;
  const kills = (async () => {
    while (killing && Date.now() < end) {
      await sleep(1_500 + random() * 1_000);
      if (!killing || Date.now() >= end) break;
      const victim = fleet.killRandom(KILLABLE_APPS);
      log(`+${((Date.now() - start) / 1000).toFixed(1)}s ${victim ? `SIGKILL ${victim}` : "no worker ready to kill (all booting)"}`);
    }
  })();

  await Promise.all(faults);
  await sleep(Math.max(0, end - Date.now()));
  killing = false;
  await kills;
  faultsOff(infra);
  note(`chaos over: ${fleet.kills.length} kills; stand-in faults off, quiet from now on`);
  await Promise.all(feeds);
  return { events, refused, serverRestarts };
}

/** Stops the run's PostgreSQL server (`fast`: clean; `immediate`: a crash), keeps it down `seconds`, starts it again. */
async function restartPostgres(infra: Infra, mode: "fast" | "immediate", seconds: number, note: (line: string) => void): Promise<void> {
  await infra.postgres.stop(mode);
  note(`PostgreSQL server stopped (${mode}) for ${seconds} s`);
  await sleep(seconds * 1000);
  await infra.postgres.start();
  note("PostgreSQL server started again");
}
