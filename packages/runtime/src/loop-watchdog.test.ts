import { createProcessLog } from "@callastar/process-log";
import { LoopWatchdog, type LoopHealth } from "./loop-watchdog";

// The watchdog's decisions on a clock the test moves: each check is run here, by hand.
function harness(health: () => LoopHealth) {
  let clock = 1_000_000;
  let started = 0;
  const watchdog = new LoopWatchdog({
    name: "loop",
    start: () => {
      started++;
      return { health, stop: async () => undefined };
    },
    stallAfterMs: 1_000,
    stopTimeoutMs: 100,
    checkEveryMs: 3_600_000, // never by itself: the test calls check()
    log: createProcessLog({ app: "test", level: "silent" }),
    now: () => clock,
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { watchdog, started: () => started, advance: (ms: number) => (clock += ms), now: () => clock, settle };
}

it("leaves a loop with nothing due alone, however long since its last step", async () => {
  const h = harness(() => ({ lastProgressAt: 0, workDue: false }));
  h.advance(60_000);
  h.watchdog.check();
  await h.settle();
  expect(h.started()).toBe(1);
  expect(h.watchdog.status()).toMatchObject({ stalled: false, healthy: true, restarts: 0, workDue: false });
  await h.watchdog.stop();
});

it("restarts a loop without progress past the bound while work is due, and is unhealthy only when the fresh one stalls too", async () => {
  let progress = 0;
  const h = harness(() => ({ lastProgressAt: progress, workDue: true }));
  h.advance(999);
  h.watchdog.check();
  expect(h.started()).toBe(1); // within the bound
  h.advance(2);
  h.watchdog.check();
  await h.settle();
  await h.settle();
  expect(h.started()).toBe(2);
  expect(h.watchdog.status()).toMatchObject({ stalled: true, healthy: true, restarts: 1 });
  // A fresh loop reporting its start as its last step has proved nothing yet.
  progress = h.now();
  h.watchdog.check();
  expect(h.watchdog.status()).toMatchObject({ stalled: true });
  h.advance(1_001);
  expect(h.watchdog.status()).toMatchObject({ stalled: true, healthy: false });
  progress = h.now(); // the fresh loop steps
  h.watchdog.check();
  expect(h.watchdog.status()).toMatchObject({ stalled: false, healthy: true, restarts: 1 });
  await h.watchdog.stop();
});
