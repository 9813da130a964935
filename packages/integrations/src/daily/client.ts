import { dailyErrorFor, parseDailyBody, type DailyAnswer } from "./errors";
import { PermanentError } from "@callastar/errors";
import { assertValidRoomName, dailyRoomNameForBooking, INVALID_ROOM_NAME } from "./room-name";
import { dailyDeleteSchema, dailyRoomSchema, type DailyRoom } from "./schemas";
import { sendDailyRequest, type DailyTransportOptions } from "./transport";

/** Configuration of a Daily client; config comes from the app's env module, never from here. */
export interface DailyClientOptions {
  apiKey: string;
  /** Defaults to `https://api.daily.co/v1`; tests and the demo point it at the stand-in. */
  baseUrl?: string;
  /** Deadline of one request, headers and body included; default 10 s. */
  timeoutMs?: number;
  /** Daily domain (subdomain); only used to fit derived room names in their length budget. */
  domain?: string;
  fetch?: typeof fetch;
}

/** Room properties Daily accepts at creation; the common ones typed, the rest passed through. */
export interface DailyRoomProperties {
  start_audio_off?: boolean;
  start_video_off?: boolean;
  enable_recording?: "cloud" | "local" | "raw-tracks" | "off";
  exp?: number;
  nbf?: number;
  max_participants?: number;
  eject_at_room_exp?: boolean;
  enable_chat?: boolean;
  enable_screenshare?: boolean;
  enable_knocking?: boolean;
  [property: string]: unknown;
}

/** What to create: an explicit name, or a booking id to derive it from, or neither (Daily picks). */
export interface CreateDailyRoomInput {
  name?: string;
  bookingId?: string;
  /** Defaults to private (Daily's own default is public): a paid call is not open to passers-by. */
  privacy?: "private" | "public";
  properties?: DailyRoomProperties;
}

/** Outcome of a deletion; a room Daily no longer knows counts as already deleted. */
export interface DeleteDailyRoomResult {
  status: "deleted" | "already_deleted";
}

/** The typed Daily REST client. */
export interface DailyClient {
  /** Creates a room; if a room of that name already exists (a retried creation), returns it. */
  createRoom(input?: CreateDailyRoomInput): Promise<DailyRoom>;
  /** The room, or null when Daily answers 404. */
  getRoom(name: string): Promise<DailyRoom | null>;
  /** True if the room exists, false on 404; throws on any other failure. */
  checkDailyRoomExists(name: string): Promise<boolean>;
  /** Deletes a room; a 404 is reported as `already_deleted`, not as an error. */
  deleteRoom(name: string): Promise<DeleteDailyRoomResult>;
}

/** Creates a Daily client whose responses are zod-parsed and whose errors follow the taxonomy. */
export function createDailyClient(options: DailyClientOptions): DailyClient {
  const transport: DailyTransportOptions = {
    apiKey: options.apiKey,
    baseUrl: (options.baseUrl ?? "https://api.daily.co/v1").replace(/\/+$/, ""),
    timeoutMs: options.timeoutMs ?? 10_000,
    fetch: options.fetch ?? globalThis.fetch,
  };

  const getRoom = async (name: string): Promise<DailyRoom | null> => {
    assertValidRoomName(name);
    const operation = `GET /rooms/${name}`;
    const answer = await sendDailyRequest(transport, "GET", `/rooms/${encodeURIComponent(name)}`);
    if (answer.status === 404) return null;
    if (answer.status !== 200) throw nameRouteError(operation, answer);
    return parseDailyBody(operation, dailyRoomSchema, answer);
  };

  return {
    async createRoom(input = {}) {
      const name = input.name ?? (input.bookingId === undefined ? undefined : dailyRoomNameForBooking(input.bookingId, options.domain));
      if (name !== undefined) assertValidRoomName(name);
      const operation = "POST /rooms";
      const body = { ...(name === undefined ? {} : { name }), privacy: input.privacy ?? "private", properties: input.properties ?? {} };
      const answer = await sendDailyRequest(transport, "POST", "/rooms", body);
      if (answer.status === 200) return parseDailyBody(operation, dailyRoomSchema, answer);
      const error = dailyErrorFor(operation, answer);
      // A retry after a lost answer meets its own room: hand that room back instead of failing.
      if (name !== undefined && answer.status === 400 && /already exists/i.test(answer.text)) {
        const existing = await getRoom(name);
        if (existing) return existing;
      }
      throw error;
    },
    getRoom,
    async checkDailyRoomExists(name) {
      return (await getRoom(name)) !== null;
    },
    async deleteRoom(name) {
      assertValidRoomName(name);
      const operation = `DELETE /rooms/${name}`;
      const answer = await sendDailyRequest(transport, "DELETE", `/rooms/${encodeURIComponent(name)}`);
      if (answer.status === 404) return { status: "already_deleted" };
      if (answer.status !== 200) throw nameRouteError(operation, answer);
      parseDailyBody(operation, dailyDeleteSchema, answer);
      return { status: "deleted" };
    },
  };
}

/**
 * A GET or DELETE of /rooms/:name has no body and a key Daily already accepted for other calls, so
 * its 400 `invalid-request-error` can only be about the name: reported as INVALID_ROOM_NAME, which
 * callers treat as final. (Daily documents its name rule, not this answer; the stand-in gives it.)
 */
function nameRouteError(operation: string, answer: DailyAnswer): Error {
  const error = dailyErrorFor(operation, answer);
  if (answer.status !== 400 || !(error instanceof PermanentError) || error.code !== "invalid-request-error") return error;
  return new PermanentError(error.message, { cause: error, status: 400, code: INVALID_ROOM_NAME });
}
