import { freePort, waitFor } from "@callastar/testing";
import { useFixtureWorkers } from "./test-fixtures/spawn-fixture";

// A real worker process serves its own /metrics from its Worker's events; a restarted process starts
// its own series from zero (Prometheus' rate() handles the reset), never a recomputed, shrinking one.
const f = useFixtureWorkers("pmetrics");
const worker = (env: Record<string, string>) => f.spawn(env);

const sample = (text: string, name: string, labels: string) =>
  Number(new RegExp(`^${name}\\{[^}]*${labels}[^}]*\\} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);

it("counts the process' own completed, failed-and-retried and rate-limited attempts, and a restart starts from zero", async () => {
  const port = await freePort();
  const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const first = worker({ METRICS_PORT: String(port), METRICS_HOST: "127.0.0.1" });
  await first.waitForOutput(`metrics on :${port}/metrics`);
  await f.reminders.add("booking-reminder", { bookingId: "ok-1" });
  await f.reminders.add("booking-reminder", { bookingId: "limited-1" });
  await f.reminders.add("booking-reminder", { bookingId: "fail-1" }, { attempts: 2, backoff: { type: "fixed", delay: 10 } });
  const completed = (text: string) => sample(text, "callastar_jobs_completed_total", 'job="booking-reminder"');
  const text = await waitFor("2 completions and a final failure counted", async () => {
    const m = await scrape();
    return completed(m) === 2 && sample(m, "callastar_jobs_failed_total", 'job="booking-reminder"') === 1 ? m : undefined;
  });
  expect(sample(text, "callastar_jobs_retried_total", 'job="booking-reminder"')).toBe(1);
  expect(sample(text, "callastar_rate_limit_waits_total", 'queue="reminders"')).toBe(1);
  expect(sample(text, "callastar_job_duration_seconds_count", 'outcome="completed"')).toBe(2);
  expect(text).toContain('app="crash-fixture"');
  expect(text).toMatch(/^callastar_audit_logger_written_total\{[^}]*\} \d+$/m);
  expect(text).toContain("nodejs_eventloop_lag_seconds");

  first.child.kill("SIGTERM");
  expect(await first.exited).toBe(0);
  const second = worker({ METRICS_PORT: String(port), METRICS_HOST: "127.0.0.1" });
  await second.waitForOutput(`metrics on :${port}/metrics`);
  // The new process counts only what it did: its own series, from zero.
  expect(completed(await scrape())).toBeNaN();
  await f.reminders.add("booking-reminder", { bookingId: "ok-2" });
  await waitFor("the new process' completion", async () => completed(await scrape()) === 1);
});

it("refuses to start, naming the service, when PostgreSQL cannot be reached — and never says it is consuming", async () => {
  const deadPort = await freePort();
  const p = worker({ DATABASE_URL: `postgres://postgres:secret-password@127.0.0.1:${deadPort}/x`, STARTUP_DEADLINE_MS: "1000" });
  expect(await p.exited).toBe(1);
  expect(p.output()).toContain(`DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:${deadPort}/x`);
  expect(p.output()).not.toContain("consuming");
  expect(p.output()).not.toContain("secret-password");
});
