import { booking, callOffer, creator, user, type DbHandle } from "@callastar/db";

/** Inserts `times.length` CONFIRMED bookings (one call offer each) among a few fans and creators. */
export async function seedBookings(db: DbHandle, times: readonly Date[]): Promise<string[]> {
  const fans = await db.db
    .insert(user)
    .values(Array.from({ length: 50 }, (_, i) => ({ email: `fan${i}-${Date.now()}@bench.test`, name: `Fan ${i}`, timezone: "Europe/Paris" })))
    .returning({ id: user.id });
  const starUsers = await db.db
    .insert(user)
    .values(Array.from({ length: 10 }, (_, i) => ({ email: `star${i}-${Date.now()}@bench.test`, name: `Star ${i}`, timezone: "America/New_York" })))
    .returning({ id: user.id });
  const stars = await db.db
    .insert(creator)
    .values(starUsers.map((u) => ({ userId: u.id })))
    .returning({ id: creator.id });
  const ids: string[] = [];
  for (let from = 0; from < times.length; from += 2_000) {
    const chunk = times.slice(from, from + 2_000);
    const offers = await db.db
      .insert(callOffer)
      .values(chunk.map((at, i) => ({ creatorId: stars[(from + i) % stars.length]!.id, title: "Bench call", dateTime: at, duration: 30, price: 5_000 })))
      .returning({ id: callOffer.id });
    const rows = await db.db
      .insert(booking)
      .values(offers.map((o, i) => ({ userId: fans[(from + i) % fans.length]!.id, callOfferId: o.id, status: "CONFIRMED" as const, totalPrice: 5_000 })))
      .returning({ id: booking.id });
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}
