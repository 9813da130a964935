import { tallyRooms } from "./rooms-summary";

describe("tallyRooms", () => {
  it("counts deleted, already deleted, skipped and failed rooms the way the spec's CRON_RUN does", () => {
    const result = tallyRooms(
      {
        values: [
          { status: "deleted", roomName: "a", bookingId: "1" },
          { status: "deleted", roomName: "b", bookingId: "2" },
          { status: "already_deleted", roomName: "c", bookingId: "3" },
          { status: "skipped", roomName: "d", bookingId: "4", reason: "booking_not_finished" },
        ],
        failures: [{ jobKey: "bull:rooms:room-e", reason: "Daily DELETE /rooms/e answered 401" }],
      },
      { invalidRoomNames: 1 },
    );
    expect(result).toEqual({
      itemsProcessed: 2 + 1 + 2,
      context: {
        roomsDeleted: 2,
        roomsAlreadyDeleted: 1,
        roomsFailed: 2,
        roomsSkipped: 1,
        failures: [{ roomName: "e", error: "Daily DELETE /rooms/e answered 401" }],
      },
    });
  });
});
