// `pnpm test`, what CI runs, after `pnpm build` (tests start the compiled apps). The static checks
// (type check, ESLint, knip) are CPU work with no servers; jest's files spend most of their time
// waiting on servers, rate windows and child processes. So both run at once, the checks at a lower
// CPU priority so the tests keep theirs, and the checks' output is printed as one block when they
// end, leaving jest's readable. Exits non-zero if either fails.
import { spawn } from "node:child_process";

const started = Date.now();
const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;

// Its own process group, so a stop reaches eslint and tsc under the shell.
const checks = spawn("nice", ["-n", "10", "sh", "-c", "pnpm run typecheck && pnpm run lint"], { stdio: ["ignore", "pipe", "pipe"], detached: true });
let checksOutput = "";
checks.stdout.on("data", (chunk) => (checksOutput += chunk));
checks.stderr.on("data", (chunk) => (checksOutput += chunk));
const checksDone = new Promise((resolve) =>
  checks.on("close", (code) => {
    process.stdout.write(`\n── static checks (typecheck, lint) ${code === 0 ? "passed" : "FAILED"} in ${seconds()} ──\n${checksOutput}── end of static checks ──\n\n`);
    resolve(code ?? 1);
  }),
);

const jest = spawn(process.execPath, ["scripts/jest.mjs", ...process.argv.slice(2)], { stdio: "inherit" });
const jestDone = new Promise((resolve) => jest.on("close", (code) => resolve(code ?? 1)));

// Ctrl-C or CI's cancel stops both.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    try {
      process.kill(-checks.pid, signal);
    } catch {
      // already ended
    }
    jest.kill(signal);
  });
}

const [checksCode, jestCode] = await Promise.all([checksDone, jestDone]);
console.log(`test: static checks ${checksCode === 0 ? "passed" : "failed"}, jest ${jestCode === 0 ? "passed" : "failed"}; ${seconds()} in all`);
process.exit(checksCode === 0 && jestCode === 0 ? 0 : 1);
