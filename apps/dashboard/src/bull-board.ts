import type { Queue } from "bullmq";
import type { RequestHandler } from "express";
import { QUEUE_NAMES, type QueueName } from "@callastar/queues";
import { principalOf } from "./auth/authenticate";
import { isUnsafeMethod } from "./http/request-origin";

/** Where Bull Board is mounted. */
export const BULL_BOARD_PATH = "/admin/queues";

/**
 * Bull Board over every queue, twice: admins get the full board, viewers a read-only one (its UI
 * hides the actions). Viewers' state-changing requests are refused with 403 before reaching either,
 * so the role check does not depend on Bull Board's own read-only handling.
 */
export function bullBoardHandlers(queueOf: (name: QueueName) => Queue): RequestHandler[] {
  // Built at the first request that passes the guard (see bull-board-ui.ts).
  let boards: ReturnType<typeof loadBoards> | undefined;
  const loadBoards = () => import("./bull-board-ui").then((ui) => ui.createBoards(BULL_BOARD_PATH, QUEUE_NAMES.map((name) => queueOf(name))));
  const rolesGuard: RequestHandler = (req, res, next) => {
    const p = principalOf(res);
    if (p.kind !== "user") return void res.status(403).json({ error: "operators only" });
    if (p.role !== "admin" && isUnsafeMethod(req)) return void res.status(403).json({ error: `role ${p.role} is read-only` });
    next();
  };
  const dispatch: RequestHandler = (req, res, next) => {
    const p = principalOf(res);
    void (boards ??= loadBoards())
      .then(({ admin, viewer }) => (p.kind === "user" && p.role === "admin" ? admin : viewer)(req, res, next))
      .catch(next);
  };
  return [rolesGuard, dispatch];
}
