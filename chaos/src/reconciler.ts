// "Unaudited" is the reconciler's verdict: `pnpm audit:verify --since <run start> --json`, whose
// contract (COMMON.md / the README) is one JSON object on stdout listing each fact without its row
// (`missing`) and each fact with more than one (`duplicated`).
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import type { Finding } from "./verify";

export interface AuditVerdict {
  /** null when the reconciler could not run or answered something else than its JSON. */
  count: number | null;
  findings: Finding[];
  /** Cron runs of the window that never did their work (counted as lost, not as unaudited). */
  unfinishedRuns: Finding[];
  summary: string;
}

interface AuditReport {
  checked?: Record<string, number>;
  missing?: Array<{ check: string; entityId: string; expectedLogId?: string }>;
  duplicated?: Array<{ check: string; entityId: string; rows: number }>;
  unfinishedRuns?: Array<{ cronRunId: string; cronType: string; status: string; at: string }>;
}

/** Runs the reconciler against the run's database over the run's window. */
export async function runReconciler(options: { databaseUrl: string; since: Date; until: Date; env: Record<string, string> }): Promise<AuditVerdict> {
  const args = ["--silent", "audit:verify", "--since", options.since.toISOString(), "--until", options.until.toISOString(), "--json"];
  const root = resolve(__dirname, "../..");
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn("pnpm", args, { cwd: root, env: { ...options.env, DATABASE_URL: options.databaseUrl }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.on("error", (e) => done({ code: null, stdout: out, stderr: `${err}${String(e)}` }));
    child.on("close", (c) => done({ code: c, stdout: out, stderr: err }));
  });
  const report = parseReport(stdout);
  if (!report) {
    const why = `${stderr}\n${stdout}`.trim().split("\n").slice(-4).join(" | ") || `exit ${code}`;
    return { count: null, findings: [], unfinishedRuns: [], summary: `\`pnpm ${args.slice(1).join(" ")}\` did not answer its JSON report (exit ${code}): ${why}` };
  }
  const findings: Finding[] = [
    ...(report.missing ?? []).map((m) => ({ entity: `${m.check} ${m.entityId}`, detail: `fact without its row${m.expectedLogId ? ` (expected Log id ${m.expectedLogId})` : ""}` })),
    ...(report.duplicated ?? []).map((d) => ({ entity: `${d.check} ${d.entityId}`, detail: `${d.rows} rows for one fact` })),
  ];
  const unfinishedRuns = (report.unfinishedRuns ?? []).map((u) => ({
    entity: `cron run ${u.cronRunId}`,
    detail: `${u.cronType} ${u.status === "FAILED" ? `failed for good at ${u.at}` : `still running since ${u.at}`}`,
  }));
  const checked = Object.entries(report.checked ?? {}).map(([k, n]) => `${k} ${n}`).join(", ");
  return { count: findings.length, findings, unfinishedRuns, summary: `reconciler: checked ${checked || "nothing"}; exit ${code}` };
}

/** The reconciler's JSON report in its stdout: the whole of it, or its last line that is one. */
export function parseReport(stdout: string): AuditReport | undefined {
  const text = stdout.trim();
  const candidates = [text, ...text.split("\n").reverse()];
  for (const candidate of candidates) {
    try {
      const value = JSON.parse(candidate) as unknown;
      if (typeof value === "object" && value !== null && ("missing" in value || "duplicated" in value)) return value as AuditReport;
    } catch {
      // not this line
    }
  }
  return undefined;
}
