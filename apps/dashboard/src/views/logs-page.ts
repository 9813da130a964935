import type { LogRow } from "@callastar/db";
import type { AuditRunSummary } from "@callastar/reconciler";
import { LOG_STATUSES, LOG_TYPES } from "@callastar/db";
import type { LogStatsView, RecentLogsFilter } from "../deps";
import { html, page, type Raw } from "./html";
import { logTable } from "./log-table";

/** What the logs page shows. */
export interface LogsPageModel {
  stats: LogStatsView;
  recentErrors: LogRow[];
  /** The last scheduled audit check (verify-audit), if one ran. */
  audit?: AuditRunSummary | undefined;
  /** Present when the query carried filters. */
  search?: { filter: RecentLogsFilter; rows: LogRow[] };
  query: Record<string, string>;
  user: { name: string; role: string };
}

function card(label: string, value: string | number): Raw {
  return html`<div class="card"><div class="label">${label}</div><div class="value">${value}</div></div>`;
}

function select(name: string, values: readonly string[], current: string | undefined): Raw {
  return html`<select name="${name}"><option value="">any</option>${values.map(
    (v) => html`<option value="${v}" ${v === current ? "selected" : ""}>${v}</option>`,
  )}</select>`;
}

// The reconciler's verdict: "clean" or how many facts lack their row or have several.
function auditCheck(run: AuditRunSummary | undefined): Raw {
  if (!run) return html`<p id="audit-check" class="muted">Audit check: no verify-audit run yet.</p>`;
  const n = run.missing + run.duplicated + run.unfulfilled;
  const window = html`<span class="muted">(${run.at.toISOString()}, facts ${run.since} .. ${run.until}${run.repaired ? `, ${run.repaired} rows repaired` : ""})</span>`;
  return n === 0
    ? html`<p id="audit-check">Audit check: <strong>clean</strong> ${window}</p>`
    : html`<p id="audit-check" class="error-box">Audit check: <strong>${n} ${n === 1 ? "discrepancy" : "discrepancies"}</strong> (${run.missing} missing, ${run.duplicated} duplicated, ${run.unfulfilled} unfulfilled) ${window} — run <code>pnpm audit:verify</code> for the entity ids.</p>`;
}

/** The spec's admin page: 7-day stats cards, recent errors, and a filtered search. */
export function renderLogsPage(m: LogsPageModel): string {
  const q = m.query;
  return page(
    "Logs",
    html`<h1>Logs — last 7 days</h1>
      <div class="cards" id="stats">
        ${card("Total logs", m.stats.totalLogs)}
        ${card("Success rate", `${m.stats.successRate}%`)}
        ${card("Emails sent", m.stats.emails.sent)}
        ${card("Emails failed", m.stats.emails.errors)}
        ${card("Crons run", m.stats.crons.runs)}
        ${card("Crons failed", m.stats.crons.errors)}
      </div>
      ${auditCheck(m.audit)}

      <h2>Search</h2>
      <form class="filters" method="get" action="/logs">
        <label>Type ${select("type", LOG_TYPES, q.type)}</label>
        <label>Status ${select("status", LOG_STATUSES, q.status)}</label>
        <label>From <input type="date" name="startDate" value="${q.startDate ?? ""}"></label>
        <label>To <input type="date" name="endDate" value="${q.endDate ?? ""}"></label>
        <label>Booking id <input name="bookingId" value="${q.bookingId ?? ""}" size="24"></label>
        <label>Limit <input type="number" name="limit" min="1" max="1000" value="${q.limit ?? "50"}" style="width:80px"></label>
        <button class="primary" type="submit">Search</button>
      </form>
      ${m.search ? html`<div id="search-results">${logTable(m.search.rows, "No log rows match these filters.")}</div>` : ""}

      <h2>Recent errors</h2>
      <div id="recent-errors">${logTable(m.recentErrors, "No errors. ")}</div>`,
    m.user,
  );
}

/** A 400 page naming what is wrong with the query. */
export function renderBadRequest(message: string, user: { name: string; role: string }): string {
  return page("Bad request", html`<h1>Bad request</h1><p class="error-box">${message}</p><p><a href="/logs">Back to logs</a></p>`, user);
}
