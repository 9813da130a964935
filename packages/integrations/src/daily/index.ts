export {
  createDailyClient,
  type CreateDailyRoomInput,
  type DailyClient,
  type DailyClientOptions,
  type DailyRoomProperties,
  type DeleteDailyRoomResult,
} from "./client";
export {
  assertValidRoomName,
  dailyRoomNameForBooking,
  DAILY_ROOM_NAME_MAX_LENGTH,
  DAILY_ROOM_NAME_PATTERN,
  DERIVED_NAME_BUDGET,
  INVALID_ROOM_NAME,
  isRoomNameRefused,
} from "./room-name";
export type { DailyRoom } from "./schemas";
