// What the main app does with the installed packages, shared by main-app.mjs and main-app.cjs (each
// loads the packages its own way and passes them in). Prints one JSON line for the test to check.
const confirmation = {
  recipientName: "Ana", creatorName: "Bo", callTitle: "Q&A", callDateTime: "2031-05-01T10:00:00Z", timeZone: "Europe/Paris",
  bookingUrl: "https://callastar.com/bookings/bk", amount: 5000, currency: "EUR",
};

async function refusal(ValidationError, call) {
  try {
    await call();
    return "accepted";
  } catch (error) {
    return { name: error.constructor.name, message: error.message, isValidationError: error instanceof ValidationError };
  }
}

module.exports = async function exercise({ producer, drizzle, logger, flavor }, input) {
  const jobs = producer.createProducer({ connection: input.redisUrl, prefix: input.prefix });
  try {
    const emailId = await jobs.enqueueEmail({
      template: "payment_received",
      props: { recipientName: "Ana", amount: 5000, currency: "EUR" },
      to: "ana@example.com",
      bookingId: input.bookingId,
      idempotencyKey: input.idempotencyKey,
    });
    const reminderId = await jobs.scheduleBookingReminder({ bookingId: input.bookingId, callDateTime: input.callDateTime });
    const refusals = {
      nullInput: await refusal(producer.ValidationError, () => jobs.enqueueEmail(null)),
      otherTemplatesProps: await refusal(producer.ValidationError, () =>
        jobs.enqueueEmail({ template: "payment_received", props: confirmation, to: "ana@example.com", idempotencyKey: "x" }),
      ),
      nullPayout: await refusal(producer.ValidationError, () => jobs.enqueuePayout(null)),
    };
    let isValidationError = false;
    try {
      producer.outboxRow("enqueueRoomDeletion", null);
    } catch (error) {
      isValidationError = error instanceof producer.ValidationError;
    }
    await logger.logEmailSent(input.bookingId, input.userId, "payment_received", { recipientEmail: "ana@example.com", flavor });
    const stored = await logger.getRecentLogs({ type: logger.LogType.EMAIL_SENT, bookingId: input.bookingId });
    await logger.closeDefaultAuditLogger();
    return {
      flavor,
      emailId,
      reminderId,
      refusals,
      outboxRefusalIsValidationError: isValidationError,
      outboxJobId: producer.outboxRow("enqueuePayout", { payoutId: "po_1" }).jobId,
      templates: producer.EMAIL_TEMPLATES,
      readBack: stored.map((row) => row.id),
      names: { producer: Object.keys(producer).sort(), drizzle: Object.keys(drizzle).sort(), logger: Object.keys(logger).sort() },
    };
  } finally {
    await jobs.close();
  }
};
