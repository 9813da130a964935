import { randomBytes, randomUUID } from "node:crypto";

/** A room as Daily's REST API returns it. */
export interface DailyRoomRecord {
  id: string;
  name: string;
  api_created: boolean;
  privacy: "public" | "private";
  url: string;
  created_at: string;
  config: Record<string, unknown>;
}

/** Why Daily would refuse a room: an `error` code and its `info` text, as in Daily's error bodies. */
export interface DailyErrorBody {
  error: string;
  info: string;
}

/** Daily's documented rule: only ASCII letters, digits, dash and underscore. */
const ROOM_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/** The room table of one stand-in, with Daily's validation of what a client may create. */
export class RoomStore {
  readonly rooms = new Map<string, DailyRoomRecord>();

  constructor(
    private readonly domain: string,
    private readonly maxNameLength: number,
  ) {}

  /** Validates a POST /rooms body and stores the room, or says why Daily would answer 400. */
  create(body: unknown): { room: DailyRoomRecord } | { refusal: DailyErrorBody } {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return { refusal: { error: "invalid-request-error", info: "request body must be a JSON object" } };
    }
    const { name, privacy, properties } = body as Record<string, unknown>;
    const roomName = name === undefined ? this.randomName() : name;
    const nameProblem = this.checkName(roomName);
    if (nameProblem) return { refusal: { error: "invalid-request-error", info: nameProblem } };
    if (privacy !== undefined && privacy !== "public" && privacy !== "private") {
      return { refusal: { error: "invalid-request-error", info: "privacy must be 'public' or 'private'" } };
    }
    if (properties !== undefined && (typeof properties !== "object" || properties === null || Array.isArray(properties))) {
      return { refusal: { error: "invalid-request-error", info: "properties must be an object" } };
    }
    const validName = roomName as string;
    if (this.rooms.has(validName)) {
      return { refusal: { error: "invalid-request-error", info: `a room named ${validName} already exists` } };
    }
    const room: DailyRoomRecord = {
      id: randomUUID(),
      name: validName,
      api_created: true,
      // Daily's default privacy is public.
      privacy: (privacy) ?? "public",
      url: `https://${this.domain}.daily.co/${validName}`,
      created_at: new Date().toISOString(),
      config: { ...((properties as Record<string, unknown> | undefined) ?? {}) },
    };
    this.rooms.set(validName, room);
    return { room };
  }

  /** Why Daily would refuse `name` (its documented rule), or undefined for a valid name. */
  checkName(name: unknown): string | undefined {
    if (typeof name !== "string" || name.length === 0) return "name must be a non-empty string";
    if (!ROOM_NAME_PATTERN.test(name)) return `invalid room name '${name}': only A-Z, a-z, 0-9, '-' and '_' are allowed`;
    if (name.length > this.maxNameLength) return `room name '${name}' is longer than ${this.maxNameLength} characters`;
    return undefined;
  }

  private randomName(): string {
    // Daily generates short random alphanumeric names such as "w2pp2cf4kltgFACPKXmX".
    return randomBytes(15).toString("base64url").replace(/[^A-Za-z0-9]/g, "x").slice(0, 20);
  }
}
