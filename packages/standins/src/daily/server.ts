import type { IncomingMessage, ServerResponse } from "node:http";
import { NO_DAILY_FAULTS, sanitizeFaultPatch, seededRandom, type DailyFaults } from "./faults";
import { listen, readBody, sendJson, sleep } from "../shared/http";
import { SlidingWindowLimiter } from "./rate-limit";
import { RoomStore, type DailyRoomRecord } from "./rooms";

/** How to start a Daily stand-in; every field has a default. */
export interface DailyStandinOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** The key clients must send as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Daily domain (subdomain) used in room URLs: `https://<domain>.daily.co/<name>`. */
  domain?: string;
  /** Daily limits DELETE /rooms to about 2 requests/s; 0 turns the limit off. */
  deleteRatePerSecond?: number;
  /** Longest room name accepted; Daily documents 128. */
  maxNameLength?: number;
  faults?: Partial<DailyFaults>;
}

/** One API request as the stand-in received it (control API excluded). */
export interface DailyRequestRecord {
  method: string;
  path: string;
  at: Date;
}

/** One recorded room operation. */
export interface DailyRoomEvent {
  name: string;
  at: Date;
}

/** A running Daily stand-in and the handles a test needs to inspect and steer it. */
export interface DailyStandin {
  /** Base URL of the REST API, e.g. `http://127.0.0.1:PORT/v1`. */
  url: string;
  apiKey: string;
  port: number;
  domain: string;
  rooms: Map<string, DailyRoomRecord>;
  deletions: DailyRoomEvent[];
  creations: DailyRoomEvent[];
  requests: DailyRequestRecord[];
  faults(): Readonly<DailyFaults>;
  setFaults(faults: Partial<DailyFaults>): void;
  reset(): void;
  close(): Promise<void>;
}

/** Starts a local HTTP server that speaks Daily's room API, with fault switches. */
export async function startDailyStandin(options: DailyStandinOptions = {}): Promise<DailyStandin> {
  const apiKey = options.apiKey ?? "daily_test_standin";
  const domain = options.domain ?? "callastar";
  const store = new RoomStore(domain, options.maxNameLength ?? 128);
  const limiter = new SlidingWindowLimiter(options.deleteRatePerSecond ?? 2);
  const deletions: DailyRoomEvent[] = [];
  const creations: DailyRoomEvent[] = [];
  const requests: DailyRequestRecord[] = [];
  // Answers withheld by holdDeleteNext; a reset or close ends them so no test leaks a socket.
  const held = new Set<ServerResponse>();
  let faults: DailyFaults = { ...NO_DAILY_FAULTS, ...options.faults };
  let random = seededRandom(faults.seed);

  const setFaults = (patch: Partial<DailyFaults>): void => {
    faults = { ...faults, ...patch };
    if (patch.seed !== undefined) random = seededRandom(faults.seed);
  };
  const reset = (): void => {
    store.rooms.clear();
    deletions.length = 0;
    creations.length = 0;
    requests.length = 0;
    for (const res of held) res.destroy();
    held.clear();
    limiter.reset();
    faults = { ...NO_DAILY_FAULTS, ...options.faults };
    random = seededRandom(faults.seed);
  };

  // Draws only when the rate is set, so turning one rate on replays the same sequence for a seed.
  const draw = (name: "failRate" | "rateLimitRate" | "dropRate" | "dropAfterDeleteRate"): boolean => faults[name] > 0 && random() < faults[name];

  /** Fault switches, consumed in the order a real outage would be felt: network, then server. */
  const injectFault = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (faults.slowMs > 0) await sleep(faults.slowMs);
    if (faults.dropNext > 0 || draw("dropRate")) {
      if (faults.dropNext > 0) faults.dropNext -= 1;
      req.socket.destroy();
      return true;
    }
    if (faults.rateLimitNext > 0 || draw("rateLimitRate")) {
      if (faults.rateLimitNext > 0) faults.rateLimitNext -= 1;
      sendJson(res, 429, { error: "rate-limit-error", info: "too many requests" }, { "Retry-After": String(faults.retryAfterSeconds) });
      return true;
    }
    if (faults.failNext > 0 || draw("failRate")) {
      if (faults.failNext > 0) faults.failNext -= 1;
      sendJson(res, 500, { error: "server-error", info: "an unexpected error occurred (injected)" });
      return true;
    }
    if (faults.malformedNext > 0) {
      faults.malformedNext -= 1;
      res.writeHead(200, { "Content-Type": "text/html" }).end("<html><body>502 Bad Gateway</body></html>");
      return true;
    }
    return false;
  };

  /** The deletion is done; its answer goes out, is lost (dropAfterDeleteNext) or is held (holdDeleteNext). */
  const answerDeletion = (res: ServerResponse, name: string): void => {
    // The room is gone; losing the answer now is what makes a retry see 404 for its own delete.
    if (faults.dropAfterDeleteNext > 0 || draw("dropAfterDeleteRate")) {
      if (faults.dropAfterDeleteNext > 0) faults.dropAfterDeleteNext -= 1;
      res.socket?.destroy();
      return;
    }
    if (faults.holdDeleteNext > 0) {
      faults.holdDeleteNext -= 1;
      held.add(res);
      res.once("close", () => held.delete(res));
      return;
    }
    sendJson(res, 200, { deleted: true, name });
  };

  const authorize = (req: IncomingMessage, res: ServerResponse): boolean => {
    const header = req.headers.authorization;
    const match = /^Bearer (.+)$/.exec(header ?? "");
    if (!match) {
      sendJson(res, 400, { error: "authorization-header-error", info: "missing or malformed Authorization header" });
      return false;
    }
    if (match[1] !== apiKey) {
      sendJson(res, 401, { error: "authentication-error", info: "the API key is not valid" });
      return false;
    }
    return true;
  };

  const api = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    requests.push({ method: req.method ?? "GET", path: `/v1${path}`, at: new Date() });
    if (await injectFault(req, res)) return;
    if (!authorize(req, res)) return;
    if (path === "/rooms") {
      if (req.method === "GET") {
        const data = [...store.rooms.values()].reverse();
        return sendJson(res, 200, { total_count: data.length, data });
      }
      if (req.method === "POST") {
        const parsed = parseJson(await readBody(req));
        if (!parsed.ok) return sendJson(res, 400, { error: "json-parsing-error", info: "request body is not valid JSON" });
        const result = store.create(parsed.value);
        if ("refusal" in result) return sendJson(res, 400, result.refusal);
        creations.push({ name: result.room.name, at: new Date() });
        return sendJson(res, 200, result.room);
      }
    }
    const roomPath = /^\/rooms\/([^/]+)$/.exec(path);
    if (roomPath?.[1] !== undefined) {
      const name = safeDecode(roomPath[1]);
      // Daily's name rule holds for every /rooms/:name route; only a name that passes it can be looked up.
      const nameRefusal = (): void =>
        sendJson(res, 400, { error: "invalid-request-error", info: store.checkName(name) ?? "invalid room name" });
      if (req.method === "GET") {
        if (name === undefined || store.checkName(name)) return nameRefusal();
        const room = store.rooms.get(name);
        return room ? sendJson(res, 200, room) : sendJson(res, 404, notFound(name));
      }
      if (req.method === "DELETE") {
        // One clock reading for the limiter and the record, so tests can check the window exactly.
        const now = Date.now();
        const waitMs = limiter.take(now);
        if (waitMs > 0) {
          const retryAfter = String(Math.max(1, Math.ceil(waitMs / 1000)));
          return sendJson(res, 429, { error: "rate-limit-error", info: "DELETE /rooms is limited to a few requests per second" }, { "Retry-After": retryAfter });
        }
        if (name === undefined || store.checkName(name)) return nameRefusal();
        if (!store.rooms.delete(name)) return sendJson(res, 404, notFound(name));
        deletions.push({ name, at: new Date(now) });
        return answerDeletion(res, name);
      }
    }
    sendJson(res, 404, { error: "not-found", info: `no endpoint ${req.method ?? "?"} /v1${path}` });
  };

  /** The control API lets a separate process (the demo, a worker under test) steer this stand-in. */
  const control = async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    if (req.method === "GET" && path === "/state") {
      return sendJson(res, 200, { rooms: [...store.rooms.values()], deletions, creations, requests, faults });
    }
    if (req.method === "POST" && path === "/reset") {
      reset();
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === "POST" && (path === "/faults" || path === "/rooms")) {
      const parsed = parseJson(await readBody(req));
      if (!parsed.ok) return sendJson(res, 400, { error: "json-parsing-error", info: "request body is not valid JSON" });
      if (path === "/faults") {
        setFaults(sanitizeFaultPatch(NO_DAILY_FAULTS, parsed.value));
        return sendJson(res, 200, { faults });
      }
      const result = store.create(parsed.value);
      return "refusal" in result ? sendJson(res, 400, result.refusal) : sendJson(res, 200, result.room);
    }
    sendJson(res, 404, { error: "not-found", info: `no control endpoint ${req.method ?? "?"} /_standin${path}` });
  };

  const host = options.host ?? "127.0.0.1";
  const listening = await listen(
    (req, res) => {
      const { pathname } = new URL(req.url ?? "/", "http://standin");
      const route = pathname.startsWith("/_standin/")
        ? control(req, res, pathname.slice("/_standin".length))
        : pathname.startsWith("/v1/")
          ? api(req, res, pathname.slice("/v1".length))
          : Promise.resolve(sendJson(res, 404, { error: "not-found", info: `no endpoint ${pathname}` }));
      route.catch((error: unknown) => sendJson(res, 500, { error: "server-error", info: String(error) }));
    },
    host,
    options.port ?? 0,
  );

  return {
    url: `http://${host}:${listening.port}/v1`,
    apiKey,
    port: listening.port,
    domain,
    rooms: store.rooms,
    deletions,
    creations,
    requests,
    faults: () => ({ ...faults }),
    setFaults,
    reset,
    async close() {
      for (const res of held) res.destroy();
      await listening.close();
    },
  };
}

function notFound(name: string): { error: string; info: string } {
  return { error: "not-found", info: `room ${name} was not found` };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: text.length === 0 ? {} : (JSON.parse(text) as unknown) };
  } catch {
    return { ok: false };
  }
}
