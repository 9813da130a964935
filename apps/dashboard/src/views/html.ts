/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A tagged template whose interpolations are escaped, unless they are `html` results themselves. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new Raw(out);
}

/** Already-safe HTML. */
export class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

function render(value: unknown): string {
  if (value instanceof Raw) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === undefined || value === null || value === false) return "";
  return escapeHtml(value);
}

const STYLE = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1d2330;--muted:#667085;--line:#e4e7ec;--ok:#12805c;--err:#c4320a;--accent:#3a5ccc}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:var(--bg);color:var(--ink)}
header{display:flex;gap:18px;align-items:center;padding:12px 24px;background:#111827;color:#fff}
header a{color:#cbd5e1;text-decoration:none}header a:hover{color:#fff}header .who{margin-left:auto;color:#94a3b8}
header form{margin:0}header button{background:none;border:1px solid #475569;color:#cbd5e1;border-radius:6px;padding:3px 10px;cursor:pointer}
main{max-width:1200px;margin:0 auto;padding:24px}h1{font-size:22px;margin:0 0 16px}h2{font-size:17px;margin:28px 0 10px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:12px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px}
.card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}.card .value{font-size:24px;font-weight:600;margin-top:4px}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:10px;overflow:hidden}
th,td{padding:8px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}th{background:#f9fafb;font-size:12px;color:var(--muted);text-transform:uppercase}
td.time{white-space:nowrap;color:var(--muted)}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}pre{margin:6px 0 0;white-space:pre-wrap;word-break:break-word;max-width:520px}
.status-SUCCESS{color:var(--ok);font-weight:600}.status-ERROR{color:var(--err);font-weight:600}
form.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:end;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px;margin-bottom:16px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:3px}
input,select{font:inherit;padding:5px 8px;border:1px solid var(--line);border-radius:6px}button.primary{background:var(--accent);color:#fff;border:0;border-radius:6px;padding:7px 14px;cursor:pointer}
.empty{color:var(--muted);padding:14px}.muted{color:var(--muted)}.error-box{background:#fef3f2;border:1px solid #fecdca;color:var(--err);padding:10px 14px;border-radius:8px}
`;

/** The page shell shared by every server-rendered page. */
export function page(title: string, body: Raw, user?: { name: string; role: string }): string {
  const nav = user
    ? html`<a href="/logs">Logs</a><a href="/admin/queues">Queues</a><a href="/api/logs/stats">Stats JSON</a>
        <span class="who">${user.name} (${user.role})</span>
        <form method="post" action="/logout"><button type="submit">Sign out</button></form>`
    : html``;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)} · Call a Star ops</title><style>${STYLE}</style></head>
<body><header><strong>Call a Star ops</strong>${nav.value}</header><main>${body.value}</main></body></html>`;
}
