// The pacer against the Resend stand-in's sliding 2 requests/s window, on the real Redis: copies
// whose requests leave at uneven moments after their slot draw no 429, a 429 holds every copy back
// for its retry-after, and requests the provider counted from elsewhere in the team are respected.
import { Redis } from "ioredis";
import { providerRate } from "@callastar/emails";
import { startResendStandin, type ResendStandin } from "@callastar/standins";
import { obliteratePrefix, testEnv, uniquePrefix, waitFor } from "@callastar/testing";
import { createSendPacer, GaveWayError, type PaceSlot, type SendPacer } from "./send-pacer";

const OTHER_KEY = "re_other_key_of_the_team";
let resend: ResendStandin;
let prefix: string;
const clients: Redis[] = [];

beforeEach(async () => {
  resend = await startResendStandin({ rateLimitPerSecond: 2, teamKeys: [OTHER_KEY] });
  prefix = uniquePrefix("pacer");
});
afterEach(async () => {
  await resend.close();
  await Promise.all(clients.splice(0).map((c) => c.quit()));
  await obliteratePrefix(prefix);
});

/** One worker copy: its own Redis connection, one pacer on the shared key. */
function copy(): SendPacer {
  return copyWatched().pacer;
}

/** A copy whose `nextRefusal()` resolves once Redis next tells it to wait for a slot (it is then queued). */
function copyWatched(): { pacer: SendPacer; nextRefusal: () => Promise<void> } {
  const redis = new Redis(testEnv.redisUrl, { maxRetriesPerRequest: null });
  clients.push(redis);
  let onRefused: (() => void) | undefined;
  const evaluate = redis.eval.bind(redis) as (...args: unknown[]) => Promise<unknown>;
  (redis as unknown as { eval: typeof evaluate }).eval = async (...args) => {
    const answer = await evaluate(...args);
    // The acquire script (four keys) answers [1, ms until it opens] when the place is taken, [0, ms
    // to wait] when not, [-1, ms to wait] behind an urgent caller.
    if (args[1] === 4 && Array.isArray(answer) && answer[0] !== 1) onRefused?.();
    return answer;
  };
  const nextRefusal = () => new Promise<void>((r) => (onRefused = r));
  return { pacer: createSendPacer(redis, { key: `${prefix}:pace`, limit: 2, marginMs: 50 }), nextRefusal };
}

const post = (key = resend.apiKey) =>
  fetch(`${resend.url}/emails`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ from: "a@callastar.test", to: "b@example.com", subject: "s", text: "t" }),
  });

/** Takes a slot, spends `holdMs` (a statement between slot and request), sends, settles; the status. */
async function paced(pacer: SendPacer, holdMs: number): Promise<number> {
  const slot = await pacer.acquire();
  await new Promise((r) => setTimeout(r, holdMs));
  return sendOn(slot);
}

/** Sends one request on `slot` at its opening (not before), settles it; the status. */
async function sendOn(slot: PaceSlot): Promise<number> {
  while (Date.now() < slot.opensAt) await new Promise((r) => setTimeout(r, slot.opensAt - Date.now()));
  await slot.sending();
  const res = await post();
  await res.arrayBuffer();
  if (res.status === 429) await slot.settle({ retryAfterMs: Number(res.headers.get("retry-after")) * 1000 });
  else await slot.settle({ rate: providerRate(Object.fromEntries(res.headers.entries())) });
  return res.status;
}

it("three copies whose requests leave 0-400 ms after their slot: no 429, the window kept full", async () => {
  const copies = [copy(), copy(), copy()];
  const started = Date.now();
  // 4 requests per copy, each held a different time between its slot and its request.
  const statuses = await Promise.all(
    copies.map(async (pacer, c) => {
      const out: number[] = [];
      for (let i = 0; i < 4; i++) out.push(await paced(pacer, ((c * 4 + i) * 137) % 400));
      return out;
    }),
  );
  const elapsed = Date.now() - started;
  expect(statuses.flat().filter((s) => s !== 200)).toEqual([]);
  expect(resend.rateLimited).toBe(0);
  // 12 requests, 2 per window: the last pair leaves after 5 windows, plus margins, holds and
  // answer times (a loaded machine's); unpaced waits (a full window idle) would take far longer.
  expect(elapsed).toBeLessThan(11_000);
}, 30_000);

it("a place taken ahead: given before it opens, at the opening of the place it takes over; the next caller gets the one after; no 429", async () => {
  const [a, b] = [copy(), copy()];
  expect(await paced(a, 0)).toBe(200);
  expect(await paced(a, 0)).toBe(200);
  const ahead = await b.acquire({ aheadMs: 900 });
  // The window is full until the first answer's place frees: the place is given before that.
  expect(ahead.opensAt).toBeGreaterThan(Date.now());
  const next = await a.acquire({ aheadMs: 900 });
  expect(next.opensAt).toBeGreaterThanOrEqual(ahead.opensAt);
  expect(await Promise.all([sendOn(ahead), sendOn(next)])).toEqual([200, 200]);
  expect(resend.rateLimited).toBe(0);
});

it("a place taken and not used is given back at once", async () => {
  const [a, b] = [copy(), copy()];
  const unused = await a.acquire();
  await unused.settle({ unused: true });
  const started = Date.now();
  expect(await Promise.all([paced(b, 0), paced(b, 0)])).toEqual([200, 200]);
  // Both places were free: neither waited a window for the one given back.
  expect(Date.now() - started).toBeLessThan(900);
  expect(resend.rateLimited).toBe(0);
});

it("a 429 holds every copy back for its retry-after", async () => {
  const [a, b] = [copy(), copy()];
  resend.setFaults({ rateLimitNext: 1, retryAfterSeconds: 1 });
  expect(await paced(a, 0)).toBe(429);
  const refusedAt = Date.now();
  expect(await paced(b, 0)).toBe(200);
  expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(950);
});

it("requests another key of the team sent count: the pacer learns them from ratelimit-remaining", async () => {
  const pacer = copy();
  await (await post(OTHER_KEY)).arrayBuffer();
  expect(await paced(pacer, 0)).toBe(200);
  expect(await paced(pacer, 0)).toBe(200);
  expect(resend.rateLimited).toBe(0);
});

it("lanes: a waiting reminder batch (urgent) takes the next slot before ad-hoc sends; ad-hoc sends take the slot after it", async () => {
  const [reminders, watched] = [copy(), copyWatched()];
  const adhoc = watched.pacer;
  for (let i = 0; i < 2; i++) {
    const slot = await adhoc.acquire();
    await slot.sending();
    await slot.settle({});
  }
  const order: string[] = [];
  const refused = watched.nextRefusal();
  const waitingAdhoc = adhoc.acquire().then(() => order.push("ad-hoc"));
  await refused; // the ad-hoc send is waiting for a slot before the reminder batch asks
  const waitingReminder = reminders.acquire({ urgent: true }).then(() => order.push("reminder"));
  await Promise.all([waitingAdhoc, waitingReminder]);
  expect(order).toEqual(["reminder", "ad-hoc"]);
});

it("an urgent caller announced: ad-hoc sends take no place, even in an empty window, until it has asked and been served", async () => {
  const [reminders, watched] = [copy(), copyWatched()];
  await reminders.announceUrgent(1_500);
  const order: string[] = [];
  const refused = watched.nextRefusal();
  const waitingAdhoc = watched.pacer.acquire().then(() => order.push("ad-hoc"));
  await refused; // told to wait though the window is empty
  await reminders.acquire({ urgent: true }).then(() => order.push("reminder"));
  await waitingAdhoc;
  expect(order).toEqual(["reminder", "ad-hoc"]);
});

it("an ad-hoc batch that may give way is told an urgent send waits instead of waiting behind it; one announced holds ad-hoc sends back", async () => {
  const [reminders, adhoc] = [copy(), copy()];
  for (let i = 0; i < 2; i++) {
    const slot = await adhoc.acquire();
    await slot.sending();
    await slot.settle({});
  }
  // The window is full: the reminder batch waits, and marks itself waiting.
  const waitingReminder = reminders.acquire({ urgent: true });
  await waitFor("the reminder batch marked waiting", () => adhoc.urgentWaiting(), { intervalMs: 5 });
  await expect(adhoc.acquire({ giveWay: true })).rejects.toBeInstanceOf(GaveWayError);
  await (await waitingReminder).settle({});

  // A reminder batch about to fall due announces itself: ad-hoc sends take no slot until the mark lapses.
  await waitFor("the reminder's mark lapsed", async () => !(await adhoc.urgentWaiting()), { timeoutMs: 5_000, intervalMs: 20 });
  expect(await (await adhoc.acquire({ giveWay: true })).settle({})).toBeUndefined();
  const other = copy();
  await other.announceUrgent(2_000);
  expect(await adhoc.urgentWaiting()).toBe(true);
  await expect(adhoc.acquire({ giveWay: true })).rejects.toBeInstanceOf(GaveWayError);
});
