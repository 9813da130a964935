import type { LogRow } from "@callastar/db";
import { html, type Raw } from "./html";

function firstLine(text: string | null): string {
  return (text ?? "").split("\n", 1)[0] ?? "";
}

function time(value: Date | string): string {
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/** A table of Log rows: time, type, status, message, context (collapsed JSON) and the error's first line. */
export function logTable(rows: readonly LogRow[], empty = "No log rows."): Raw {
  if (rows.length === 0) return html`<p class="empty card">${empty}</p>`;
  return html`<table class="logs">
    <thead><tr><th>Time</th><th>Type</th><th>Status</th><th>Message</th><th>Context</th><th>Error</th></tr></thead>
    <tbody>${rows.map(
      (row) => html`<tr data-log-id="${row.id}">
        <td class="time">${time(row.createdAt)}</td>
        <td><code>${row.type}</code></td>
        <td class="status-${row.status}">${row.status}</td>
        <td>${row.message}</td>
        <td>${row.context ? html`<details><summary>context</summary><pre>${JSON.stringify(row.context, null, 2)}</pre></details>` : html`<span class="muted">—</span>`}</td>
        <td>${row.error ? html`<details><summary>${firstLine(row.error)}</summary><pre>${row.error}</pre></details>` : html`<span class="muted">—</span>`}</td>
      </tr>`,
    )}</tbody></table>`;
}
