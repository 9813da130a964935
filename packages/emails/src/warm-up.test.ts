import { warmUpEmailPath } from "./warm-up";

it("renders and sends to its own loopback server, then closes it (no handle left open)", async () => {
  const payload = {
    template: "booking_reminder_client",
    props: { recipientName: "A", creatorName: "B", callDateTime: "2025-01-15T14:30:00Z", timeZone: "UTC", bookingUrl: "https://x.test/b/1" },
  } as const;
  await expect(warmUpEmailPath([payload], 3, true)).resolves.toBeUndefined();
  await expect(warmUpEmailPath([payload], 2, false)).resolves.toBeUndefined();
});

it("sends several payloads as a batch too, answered like Resend's batch endpoint", async () => {
  const payload = (recipientName: string) =>
    ({
      template: "booking_reminder_client",
      props: { recipientName, creatorName: "B", callDateTime: "2025-01-15T14:30:00Z", timeZone: "UTC", bookingUrl: "https://x.test/b/1" },
    }) as const;
  await expect(warmUpEmailPath([payload("A"), payload("C")], 2, true)).resolves.toBeUndefined();
});

it("a payload that does not render fails the warm-up with the render's own error", async () => {
  const bad = { template: "booking_reminder_client", props: { recipientName: "A" } } as never;
  await expect(warmUpEmailPath([bad], 1, true)).rejects.toThrow(/callDateTime/);
});
