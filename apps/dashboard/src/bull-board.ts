import type { Queue } from "bullmq";
import type { RequestHandler } from "express";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { QUEUE_NAMES, type QueueName } from "@callastar/queues";
import { principalOf } from "./auth/authenticate";
import { isUnsafeMethod } from "./http/request-origin";

/** Where Bull Board is mounted. */
export const BULL_BOARD_PATH = "/admin/queues";

function board(queues: Queue[], readOnlyMode: boolean): RequestHandler {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: readOnlyMode ? "Call a Star (read-only)" : "Call a Star" } },
  });
  return adapter.getRouter() as RequestHandler;
}

/**
 * Bull Board over every queue, twice: admins get the full board, viewers a read-only one (its UI
 * hides the actions). Viewers' state-changing requests are refused with 403 before reaching either,
 * so the role check does not depend on Bull Board's own read-only handling.
 */
export function bullBoardHandlers(queueOf: (name: QueueName) => Queue): RequestHandler[] {
  const queues = QUEUE_NAMES.map((name) => queueOf(name));
  const admin = board(queues, false);
  const viewer = board(queues, true);
  const rolesGuard: RequestHandler = (req, res, next) => {
    const p = principalOf(res);
    if (p.kind !== "user") return void res.status(403).json({ error: "operators only" });
    if (p.role !== "admin" && isUnsafeMethod(req)) return void res.status(403).json({ error: `role ${p.role} is read-only` });
    next();
  };
  const dispatch: RequestHandler = (req, res, next) => {
    const p = principalOf(res);
    return (p.kind === "user" && p.role === "admin" ? admin : viewer)(req, res, next);
  };
  return [rolesGuard, dispatch];
}
