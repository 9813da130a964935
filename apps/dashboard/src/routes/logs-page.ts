import express, { type RequestHandler, type Router } from "express";
import type { Db } from "@callastar/db";
import type { Producer } from "@callastar/producer";
import { principalOf } from "../auth/authenticate";
import type { DashboardLogger } from "../deps";
import { bookingJobs } from "../http/booking-jobs";
import { describeIssues, parseBookingId, parseLogsQuery } from "../http/logs-query";
import { lastAuditRun } from "../metrics/audit";
import { renderBookingPage } from "../views/booking-page";
import { renderBadRequest, renderLogsPage } from "../views/logs-page";

const WEEK_MS = 7 * 24 * 3600 * 1000;

function userOf(res: express.Response): { name: string; role: string } {
  const p = principalOf(res);
  return p.kind === "user" ? { name: p.name, role: p.role } : { name: "cron secret", role: "script" };
}

/** GET /logs (stats, recent errors, search) and GET /logs/booking/:bookingId, behind `guard`. */
export function logsPageRoutes(deps: { db: Db; logger: DashboardLogger; producer: Producer }, guard: RequestHandler): Router {
  const router = express.Router();
  const { logger } = deps;

  router.get("/", guard, (_req, res) => res.redirect(302, "/logs"));

  router.get("/logs", guard, async (req, res) => {
    const parsed = parseLogsQuery(req.query);
    if (!parsed.ok) return void res.status(400).type("html").send(renderBadRequest(describeIssues(parsed.issues), userOf(res)));
    const query = Object.fromEntries(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));
    const hasFilters = Object.keys(query).length > 0;
    const [stats, recentErrors, rows, audit] = await Promise.all([
      logger.getLogStats({ startDate: new Date(Date.now() - WEEK_MS) }),
      logger.getRecentLogs({ status: "ERROR", limit: 20 }),
      hasFilters ? logger.getRecentLogs({ limit: 50, ...parsed.value }) : Promise.resolve(undefined),
      lastAuditRun(logger),
    ]);
    res.type("html").send(
      renderLogsPage({ stats, recentErrors, audit, query, user: userOf(res), ...(rows ? { search: { filter: parsed.value, rows } } : {}) }),
    );
  });

  // The booking form submits ?bookingId=…; a stable URL is nicer to share.
  router.get("/logs/booking", guard, (req, res) => {
    const id = parseBookingId(req.query.bookingId);
    if (!id.ok) return void res.status(400).type("html").send(renderBadRequest(describeIssues(id.issues), userOf(res)));
    res.redirect(303, `/logs/booking/${encodeURIComponent(id.value)}`);
  });

  router.get("/logs/booking/:bookingId", guard, async (req, res) => {
    const id = parseBookingId(req.params.bookingId);
    if (!id.ok) return void res.status(400).type("html").send(renderBadRequest(describeIssues(id.issues), userOf(res)));
    const logs = await logger.getRecentLogs({ bookingId: id.value, limit: 1000 });
    const jobs = await bookingJobs(deps.db, (name) => deps.producer.queue(name), id.value, logs);
    res.type("html").send(renderBookingPage(id.value, logs, jobs, userOf(res)));
  });

  return router;
}
