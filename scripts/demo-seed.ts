import { booking, callOffer, creator, payment, payout, user, type DbHandle } from "@callastar/db";
import type { Producer } from "@callastar/producer";

const MIN = 60_000;
const LEAD = 15 * MIN;

/**
 * Seeds a small, lively world into an empty database: people, calls due now, finished calls with
 * rooms, money to pay. Reminders fall due `firstReminderInS` seconds from now, then `reminderEveryS` apart.
 */
export async function seedDemo(deps: { db: DbHandle; producer: Producer; dailyUrl: string; dailyApiKey: string; firstReminderInS?: number; reminderEveryS?: number }) {
  const { db, producer } = deps;
  const first = deps.firstReminderInS ?? 20;
  const every = deps.reminderEveryS ?? 15;

  const people = await db.db
    .insert(user)
    .values([
      { email: "ada@fans.test", name: "Ada Lovelace", timezone: "Europe/Paris" },
      { email: "alan@fans.test", name: "Alan Turing", timezone: "Europe/London" },
      { email: "grace@fans.test", name: "Grace Hopper", timezone: "America/New_York" },
      { email: "nova@stars.test", name: "Nova Star", timezone: "America/Los_Angeles" },
      { email: "orion@stars.test", name: "Orion Star", timezone: "Asia/Tokyo" },
    ])
    .returning();
  const [ada, alan, grace, nova, orion] = people as [typeof people[0], typeof people[0], typeof people[0], typeof people[0], typeof people[0]];
  const creators = await db.db
    .insert(creator)
    .values([
      { userId: nova.id, stripeAccountId: "acct_1DemoNova00000001", isStripeOnboarded: true, automaticPayoutsEnabled: true, automaticPayoutMinimum: 5_000 },
      { userId: orion.id, stripeAccountId: "acct_1DemoOrion0000001", isStripeOnboarded: true },
    ])
    .returning();
  const [novaC, orionC] = creators as [typeof creators[0], typeof creators[0]];

  const offer = async (creatorId: string, at: Date, title: string) =>
    (await db.db.insert(callOffer).values({ creatorId, title, dateTime: at, duration: 30, price: 8_000 }).returning())[0]!;
  const book = async (userId: string, offerId: string, status: "CONFIRMED" | "COMPLETED" | "CANCELLED", room?: string) =>
    (
      await db.db
        .insert(booking)
        .values({ userId, callOfferId: offerId, status, totalPrice: 8_000, dailyRoomName: room ?? null, dailyRoomUrl: room ? `https://callastar.daily.co/${room}` : null })
        .returning()
    )[0]!;

  // Reminders due one after the other, `every` seconds apart; the main app schedules two, the sweep catches the third.
  let reminders = 0;
  for (const [i, fan] of [ada, alan, grace].entries()) {
    const at = new Date(Date.now() + LEAD + (first + i * every) * 1000);
    const o = await offer(i === 1 ? orionC.id : novaC.id, at, `Live Q&A #${i + 1}`);
    const b = await book(fan.id, o.id, "CONFIRMED");
    if (i < 2) await producer.scheduleBookingReminder({ bookingId: b.id, callDateTime: at });
    reminders++;
  }

  // Finished and cancelled calls whose Daily rooms still exist (created as the main app would).
  let rooms = 0;
  for (const [i, status] of (["COMPLETED", "COMPLETED", "CANCELLED"] as const).entries()) {
    const o = await offer(i === 0 ? orionC.id : novaC.id, new Date(Date.now() - (i + 2) * 3600_000), `Past call #${i + 1}`);
    const name = `call-demo-${i + 1}-${Date.now().toString(36)}`;
    const res = await fetch(`${deps.dailyUrl}/rooms`, {
      method: "POST",
      headers: { authorization: `Bearer ${deps.dailyApiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name, privacy: "private" }),
    });
    if (!res.ok) throw new Error(`demo: Daily stand-in refused room ${name}: ${res.status}`);
    const b = await book([ada, alan, grace][i]!.id, o.id, status, name);
    if (status === "COMPLETED") {
      await db.db.insert(payment).values({
        bookingId: b.id,
        amount: 8_000,
        status: "SUCCEEDED",
        stripePaymentIntentId: `pi_demo_${i}_${Date.now()}`,
        platformFee: 1_200,
        creatorAmount: 6_800,
      });
    }
    rooms++;
  }

  // Orion asked for two payouts by hand; Nova is on automatic payouts with 68.00 € available.
  await db.db.insert(payout).values([
    { creatorId: orionC.id, amount: 2_500 },
    { creatorId: orionC.id, amount: 1_800 },
  ]);
  await producer.enqueueEmail({
    template: "payment_received",
    props: { recipientName: nova.name, amount: 6_800, currency: "EUR", callTitle: "Past call #2" },
    to: nova.email,
    userId: nova.id,
    idempotencyKey: `payment_received:demo-${nova.id}-${Date.now()}`,
  });
  // What the apps deliver for it: two reminders per booking and the email above, a deletion per
  // room, the two payouts and Nova's automatic one.
  return { reminders, rooms, payouts: 2, expected: { emails: reminders * 2 + 1, rooms, transfers: 3 } };
}
