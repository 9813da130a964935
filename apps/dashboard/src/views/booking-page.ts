import type { LogRow } from "@callastar/db";
import { html, page } from "./html";
import { logTable } from "./log-table";

/** One BullMQ job related to a booking, as the booking page lists it. */
export interface BookingJobView {
  queue: string;
  jobId: string;
  name?: string;
  state: string;
  attemptsMade?: number;
  failedReason?: string;
  timestamp?: number;
  processedOn?: number;
  finishedOn?: number;
}

function when(ms: number | undefined): string {
  return ms ? new Date(ms).toISOString() : "—";
}

/** Every Log row of one booking, and its jobs with their state. */
export function renderBookingPage(bookingId: string, logs: readonly LogRow[], jobs: readonly BookingJobView[], user: { name: string; role: string }): string {
  return page(
    `Booking ${bookingId}`,
    html`<h1>Booking <code>${bookingId}</code></h1>
      <h2>Jobs</h2>
      ${jobs.length === 0
        ? html`<p class="empty card">No job of this booking is in Redis (never created, or already removed).</p>`
        : html`<table id="booking-jobs"><thead><tr><th>Queue</th><th>Job</th><th>Name</th><th>State</th><th>Attempts</th><th>Created</th><th>Finished</th><th>Failure</th></tr></thead>
          <tbody>${jobs.map(
            (j) => html`<tr><td>${j.queue}</td>
              <td><a href="/admin/queues/queue/${encodeURIComponent(j.queue)}/${encodeURIComponent(j.jobId)}"><code>${j.jobId}</code></a></td>
              <td>${j.name ?? "—"}</td><td class="state-${j.state}">${j.state}</td><td>${j.attemptsMade ?? 0}</td>
              <td class="time">${when(j.timestamp)}</td><td class="time">${when(j.finishedOn)}</td><td>${j.failedReason ?? ""}</td></tr>`,
          )}</tbody></table>`}
      <h2>Log rows (${logs.length})</h2>
      <div id="booking-logs">${logTable(logs, "No Log row mentions this booking.")}</div>`,
    user,
  );
}
