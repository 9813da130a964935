export * from "./enums";
export * from "./log";
export * from "./users";
export * from "./bookings";
export * from "./money";
export * from "./runs";
export * from "./outbox";
export * from "./email-batches";
