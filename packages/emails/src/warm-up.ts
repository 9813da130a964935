// JIT warm-up for the send path. A freshly started worker runs its first few hundred emails
// through V8's interpreter while TurboFan compiles them on the side; measured, that made the first
// seconds of reminders after a start 2–4× costlier and their sends hundreds of ms late. Rendering
// and "sending" a few hundred emails to a loopback server before taking jobs compiles the same
// code (the SDK's request building, node:http, the render cache fill) — nothing leaves the host.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { renderEmail } from "./render";
import type { EmailPayload } from "@callastar/email-schemas";
import { createResendTransport } from "./transports/resend";

const WARM_UP_ID = "00000000-0000-4000-8000-000000000000";

/** Renders each payload `rounds` times; with `viaResend`, also sends each rendering to a loopback Resend. */
export async function warmUpEmailPath(payloads: readonly EmailPayload[], rounds: number, viaResend: boolean): Promise<void> {
  const server = viaResend
    ? createServer((req, res) => {
        let body = "";
        req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        // A batch is answered with one id per email, as Resend does (else the transport refuses the answer).
        req.on("end", () => {
          const answer = req.url?.endsWith("/batch") ? { data: (JSON.parse(body) as unknown[]).map(() => ({ id: WARM_UP_ID })) } : { id: WARM_UP_ID };
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
        });
      })
    : undefined;
  if (server) await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const transport = server
    ? createResendTransport({ apiKey: "re_warm_up", baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
    : undefined;
  try {
    const envelope = { from: "Warm Up <warm-up@warm-up.invalid>", to: "warm-up@warm-up.invalid" };
    for (let round = 0; round < rounds; round++) {
      const emails = [];
      for (const payload of payloads) {
        const email = { ...envelope, ...(await renderEmail(payload)) };
        emails.push(email);
        await transport?.send(email, { idempotencyKey: `warm-up:${round}:${payload.template}` });
      }
      if (emails.length > 1) await transport?.sendBatch?.(emails, { idempotencyKey: `warm-up:${round}` });
    }
  } finally {
    transport?.close?.();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
