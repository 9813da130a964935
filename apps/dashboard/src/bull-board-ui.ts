// Bull Board itself (its UI, templates and adapters): loaded by bull-board.ts at the first request
// to the board, so a dashboard nobody opens the board on does not hold it.
import type { Queue } from "bullmq";
import type { RequestHandler } from "express";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";

function board(basePath: string, queues: Queue[], readOnlyMode: boolean): RequestHandler {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(basePath);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: readOnlyMode ? "Call a Star (read-only)" : "Call a Star" } },
  });
  return adapter.getRouter() as RequestHandler;
}

/** The full board (admins) and the read-only one (viewers) over `queues`, mounted at `basePath`. */
export function createBoards(basePath: string, queues: Queue[]): { admin: RequestHandler; viewer: RequestHandler } {
  return { admin: board(basePath, queues, false), viewer: board(basePath, queues, true) };
}
