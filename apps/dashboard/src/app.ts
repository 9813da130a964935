import express, { type ErrorRequestHandler, type Express, type RequestHandler } from "express";
import { isDatabaseUnavailable, unavailableReason } from "@callastar/errors";
import { createProcessLog, type ProcessLog } from "@callastar/runtime";
import { createAuthenticator, type AuthRefusal } from "./auth/authenticate";
import { DEFAULT_LOCKOUT, Lockout } from "./auth/lockout";
import { SessionCodec } from "./auth/session";
import { BULL_BOARD_PATH, bullBoardHandlers } from "./bull-board";
import type { DashboardDeps } from "./deps";
import { cronApiRoutes } from "./routes/cron-api";
import { healthRoutes } from "./routes/health";
import { loginRoutes } from "./routes/login";
import { logsApiRoutes } from "./routes/logs-api";
import { logsPageRoutes } from "./routes/logs-page";
import { metricsRoutes } from "./routes/metrics";
import { collectEmailMetrics } from "./metrics/emails";
import { collectOutboxMetrics } from "./metrics/outbox";
import { hostGuard } from "./http/request-origin";

const securityHeaders: RequestHandler = (req, res, next) => {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "same-origin");
  // Our own pages need no script at all; Bull Board ships its own bundle, so it is left out.
  if (!req.path.startsWith(BULL_BOARD_PATH)) {
    res.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  }
  next();
};

// Never echo an error to the client: messages can carry connection strings. The log scrubs them.
// An unreachable PostgreSQL is a 503 that says so (the pool fails fast), not a page that hangs.
const errorHandler = (log: ProcessLog): ErrorRequestHandler => (error: unknown, req, res, _next) => {
  if (isDatabaseUnavailable(error)) {
    const reason = unavailableReason(error);
    log.warn({ method: req.method, path: req.path, err: error }, `${req.method} ${req.path}: ${reason}`);
    if (res.headersSent) return;
    res.status(503).setHeader("Retry-After", "5").json({ error: `${reason}; try again shortly` });
    return;
  }
  const status = typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : 500;
  if (status >= 500) log.error({ method: req.method, path: req.path, err: error }, `${req.method} ${req.path} failed: ${error instanceof Error ? error.message : String(error)}`);
  if (res.headersSent) return;
  res.status(status).json({ error: status >= 500 ? "internal error" : "bad request" });
};

// Every refusal goes to the process log; the attempt that starts a lockout also gets an audit row,
// so the admin page shows guessing without an attacker being able to flood the Log table.
function reportRefusal(logger: DashboardDeps["logger"], log: ProcessLog): (refusal: AuthRefusal) => void {
  return (r) => {
    const fields = { credential: r.credential, clientAddress: r.address, path: r.path, outcome: r.outcome, lockedMs: r.lockedMs };
    log.warn(fields, `refused ${r.credential} credentials from ${r.address} on ${r.path} (${r.outcome}${r.lockedMs ? `, locked ${Math.ceil(r.lockedMs / 1000)} s` : ""})`);
    if (r.outcome === "wrong" && r.lockedMs > 0) {
      void logger.logApiError(r.path, new Error(`Too many failed ${r.credential} attempts: locked out for ${Math.ceil(r.lockedMs / 1000)} s`), {
        clientAddress: r.address,
        credential: r.credential,
        lockedSeconds: Math.ceil(r.lockedMs / 1000),
      });
    }
  };
}

/**
 * The dashboard: Bull Board, the logs page, the ops API, health and metrics. Every route but
 * GET /healthz and the login form requires credentials. Does not listen; start.ts does.
 */
export function createDashboardApp(deps: DashboardDeps): Express {
  const { config, logger, producer } = deps;
  const log = deps.log ?? createProcessLog({ app: "dashboard" });
  if (config.insecureDev && config.users.length === 0) {
    log.warn("WARNING: DASHBOARD_ALLOW_INSECURE_DEV is on and no credentials are set: every visitor is an admin.");
  }
  const sessions = new SessionCodec(config.sessionSecret, config.users, config.sessionTtlSeconds);
  const lockout = new Lockout(deps.redis, deps.prefix, config.authThrottle ?? DEFAULT_LOCKOUT);
  const report = reportRefusal(logger, log);
  const authenticate = createAuthenticator(config, sessions, lockout, report);
  const pageGuard = authenticate({ users: true, cronSecret: false, style: "page" });
  const apiGuard = authenticate({ users: true, cronSecret: true, style: "json" });
  const cronGuard = authenticate({ users: false, cronSecret: true, style: "json" });
  const textGuard = authenticate({ users: true, cronSecret: true, style: "text" });
  const queueOf = producer.queue.bind(producer);
  const health = healthRoutes(deps, apiGuard);

  const app = express();
  app.disable("x-powered-by");
  // req.ip (lockout, logs) follows X-Forwarded-For only through these hops; unset trusts none.
  app.set("trust proxy", config.trustProxy?.length ? [...config.trustProxy] : false);
  app.use(securityHeaders);
  // Liveness answers whatever the Host (probes use an address; it reveals nothing); all else is checked.
  app.use(health.publicRoutes);
  app.use(hostGuard(config.hostPolicy ?? { kind: "any" }));
  app.use(loginRoutes(config, sessions, pageGuard, lockout, report));
  app.use(health.guarded);
  app.use(cronApiRoutes(producer, logger, cronGuard));
  app.use(logsApiRoutes(logger, apiGuard));
  const extraMetrics = async () => [...(await collectOutboxMetrics(deps.db.sql, deps.redis, deps.prefix)), ...(await collectEmailMetrics(deps.db.sql))];
  app.use(metricsRoutes(producer, logger, deps.db, textGuard, extraMetrics));
  app.use(logsPageRoutes({ db: deps.db.db, logger, producer }, pageGuard));
  app.use(BULL_BOARD_PATH, pageGuard, ...bullBoardHandlers(queueOf));
  // Unknown paths answer 401 too without credentials, so probing cannot map the routes.
  app.use(pageGuard, (_req, res) => void res.status(404).json({ error: "not found" }));
  app.use(errorHandler(log));
  return app;
}
