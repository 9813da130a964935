export { startDailyStandin, type DailyStandin, type DailyStandinOptions, type DailyRoomEvent, type DailyRequestRecord } from "./server";
export type { DailyFaults } from "./faults";
export type { DailyRoomRecord } from "./rooms";
