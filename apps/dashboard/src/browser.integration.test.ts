// Drives the real UI in Debian's headless chromium: sign in, Bull Board, retry a failed job by clicking, logs page.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "bullmq";
import { chromium, type BrowserContext } from "playwright-core";
import { createWorkerConnection } from "@callastar/queues";
import { testEnv, waitFor } from "@callastar/testing";
import { creds, sharedServices, startDashboard, type RunningDashboard, type SharedServices } from "./testing/harness";

const CHROMIUM = "/usr/bin/chromium";
// Never skipped: without the browser the file fails, saying how to install it.
function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`);
}

describe("the dashboard in a browser", () => {
  let services: SharedServices;
  let dash: RunningDashboard;
  let context: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    requireChromium();
    services = await sharedServices();
    dash = await startDashboard(services);
    profile = mkdtempSync(join(tmpdir(), "callastar-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await dash?.close();
    await services?.close();
  });

  it("signs in, retries a failed job from Bull Board, and finds a booking's rows on the logs page", async () => {
    // A job that fails once on a real worker, then succeeds when retried.
    let failNext = true;
    const connection = createWorkerConnection(testEnv.redisUrl);
    const worker = new Worker("emails", async () => {
      if (failNext) throw new Error("provider down");
      return "sent";
    }, { connection, prefix: dash.prefix });
    try {
      const queue = dash.producer.queue("emails");
      const job = await queue.add("send-email", { bookingId: "bk_browser" }, { jobId: "email-browser-1", attempts: 1 });
      await waitFor("the job to fail", async () => (await queue.getJobState(job.id as string)) === "failed");
      failNext = false;
      await services.logger.logEmailError("bk_browser", "user_9", "booking_confirmation", new Error("provider down"));

      const page = await context.newPage();
      // Without credentials the board answers 401 with a Basic challenge (headless chromium reports that
      // as a failed navigation), so the operator starts from the login form.
      expect((await page.request.get(`${dash.base}/admin/queues`)).status()).toBe(401);
      await page.goto(`${dash.base}/login?next=%2Fadmin%2Fqueues`);
      await page.getByLabel("User").fill(creds.admin.name);
      await page.getByLabel("Password").fill(creds.admin.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${dash.base}/admin/queues`);
      for (const name of ["reminders", "emails", "rooms", "payouts", "maintenance"]) {
        await page.getByText(name, { exact: true }).first().waitFor({ timeout: 15_000 });
      }

      await page.goto(`${dash.base}/admin/queues/queue/emails?status=failed`);
      await page.getByText("provider down").first().waitFor({ timeout: 15_000 });
      // Open the failed job, then find its Retry action: Bull Board renders job actions as icon
      // buttons whose label is a tooltip, so hover each until the "Retry" tooltip shows.
      await page.goto(`${dash.base}/admin/queues/queue/emails/${job.id}`);
      await page.getByText("provider down").first().waitFor({ timeout: 15_000 });
      let clicked = false;
      for (const button of await page.locator("[data-base-ui-tooltip-trigger] button").all()) {
        await button.hover();
        const shown = await page
          .getByText("Retry", { exact: true })
          .first()
          .waitFor({ state: "visible", timeout: 1_500 })
          .then(() => true, () => false);
        if (shown) {
          await button.click();
          clicked = true;
          break;
        }
      }
      expect(clicked).toBe(true);
      // Bull Board may ask for confirmation, depending on its settings.
      await page.getByRole("button", { name: /^(Confirm|Yes|Ok|Retry)$/i }).last().click({ timeout: 2_000 }).catch(() => undefined);
      await waitFor("the retried job to complete", async () => (await queue.getJobState(job.id as string)) === "completed");

      await page.goto(`${dash.base}/logs`);
      await page.getByLabel("Booking id").fill("bk_browser");
      await page.getByRole("button", { name: "Search" }).click();
      await page.locator("#search-results").getByText("EMAIL_ERROR").waitFor();
      await page.goto(`${dash.base}/logs/booking/bk_browser`);
      await page.locator("#booking-logs").getByText("EMAIL_ERROR").waitFor();
      await page.close();
    } finally {
      await worker.close();
      await connection.quit();
    }
  });
});
