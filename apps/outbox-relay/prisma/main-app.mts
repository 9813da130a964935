// The main app's side, as it would run: a Prisma 7 client (pg driver adapter) commits a booking and
// its reminder's outbox row in one interactive transaction — or rolls both back. Spawned by
// src/outbox.integration.test.ts after it generated the client from schema.prisma.
import { PrismaPg } from "@prisma/adapter-pg";
import { enqueueInPrismaTransaction } from "@callastar/queues/producer";
import { PrismaClient } from "../.prisma-client/client.ts";

const { DATABASE_URL, OUTCOME, USER_ID, CALL_OFFER_ID, CALL_DATE_TIME } = process.env;
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: DATABASE_URL! }) });
let bookingId = "";
try {
  await prisma.$transaction(async (tx) => {
    const booking = await tx.booking.create({ data: { userId: USER_ID!, callOfferId: CALL_OFFER_ID!, status: "CONFIRMED", totalPrice: 5000 } });
    bookingId = booking.id;
    await enqueueInPrismaTransaction(tx, "scheduleBookingReminder", { bookingId: booking.id, callDateTime: CALL_DATE_TIME! });
    if (OUTCOME === "rollback") throw new Error("payment refused");
  });
} catch (error) {
  if (OUTCOME !== "rollback") throw error;
}
console.log(`booking ${bookingId} ${OUTCOME}`);
await prisma.$disconnect();
