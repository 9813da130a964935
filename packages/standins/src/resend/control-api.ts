import { parseFaults } from "./faults";
import { parseJson } from "./http";
import type { StandinAnswer } from "./errors";
import type { StandinState } from "./state";

/**
 * `/_standin/*`: lets another process (the demo, worker processes under test) drive the stand-in.
 * No auth, on purpose: it listens on 127.0.0.1 only and is never deployed.
 */
export function handleControl(state: StandinState, method: string, path: string, rawBody: string): StandinAnswer {
  const route = `${method} ${path}`;
  switch (route) {
    case "GET /_standin/deliveries":
      return { status: 200, body: { data: state.deliveries, requests: state.requests } };
    case "GET /_standin/faults":
      return { status: 200, body: { faults: state.faults.get() } };
    case "POST /_standin/faults": {
      const body = parseJson(rawBody);
      try {
        state.faults.set(parseFaults(body ?? {}));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return { status: 400, body: { error: message } };
      }
      return { status: 200, body: { faults: state.faults.get() } };
    }
    case "POST /_standin/reset":
      state.reset();
      return { status: 200, body: { ok: true } };
    default:
      return { status: 404, body: { error: `no control route ${route}` } };
  }
}
