// The main app's side, as it would run: a Prisma 7 client (pg driver adapter) commits a booking and
// its reminder's outbox row in one interactive transaction — or rolls both back. Spawned by
// src/outbox.integration.test.ts after it generated the client from schema.prisma.
import { PrismaPg } from "@prisma/adapter-pg";
import { enqueueInPrismaTransaction } from "@callastar/producer";
import { PrismaClient } from "../.prisma-client/client.ts";

// Its inputs come as one JSON argument from the test (a script's arguments, not configuration).
const input = JSON.parse(process.argv[2] ?? "{}") as { databaseUrl: string; outcome: "commit" | "rollback"; userId: string; callOfferId: string; callDateTime: string };
const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: input.databaseUrl }) });
let bookingId = "";
try {
  await prisma.$transaction(async (tx) => {
    const booking = await tx.booking.create({ data: { userId: input.userId, callOfferId: input.callOfferId, status: "CONFIRMED", totalPrice: 5000 } });
    bookingId = booking.id;
    await enqueueInPrismaTransaction(tx, "scheduleBookingReminder", { bookingId: booking.id, callDateTime: input.callDateTime });
    if (input.outcome === "rollback") throw new Error("payment refused");
  });
} catch (error) {
  if (input.outcome !== "rollback") throw error;
}
console.log(`booking ${bookingId} ${input.outcome}`);
await prisma.$disconnect();
