// Runs every jest test file alone (`--runInBand --detectOpenHandles`, one jest process a file) and
// reports, per file, whether it passed, whether jest saw an open handle or had to be killed because
// it did not exit, and how long it took. Not part of `pnpm test`: it checks that no file leans on
// another's side effects and that none leaves a connection behind (which makes jest hang alone).
//
//   node scripts/each-test-alone.mjs [--timeout 300] [--out DIR] [filter ...]
//
// Run `pnpm build` first (some tests start the compiled apps). Exit status 1 if any file is not clean.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const args = process.argv.slice(2);
let timeoutS = 300;
let outDir = "/tmp/each-test-alone";
const filters = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--timeout") timeoutS = Number(args[++i]);
  else if (args[i] === "--out") outDir = args[++i];
  else filters.push(args[i]);
}
if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
  console.error("each-test-alone: --timeout takes a number of seconds");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const root = process.cwd();
const flags = "--experimental-vm-modules --disable-warning=ExperimentalWarning";
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} ${flags}`.trim() };
const jest = join(root, "node_modules/jest/bin/jest.js");

const listed = spawnSync(process.execPath, [jest, "--listTests"], { env, encoding: "utf8" });
if (listed.status !== 0) {
  console.error(`each-test-alone: jest --listTests failed:\n${listed.stderr}`);
  process.exit(2);
}
const files = listed.stdout
  .split("\n")
  .filter(Boolean)
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

/** One file, one jest process in its own process group (so a hang can be killed with its children). */
function runOne(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [jest, "--runInBand", "--detectOpenHandles", "--ci", file], {
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutS * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      const openHandles = /open handles? potentially keeping Jest from exiting/.test(output)
        || /Jest did not exit one second after the test run has completed/.test(output);
      const skipped = /Tests:.*\bskipped\b/.test(output);
      writeFileSync(join(outDir, file.replaceAll("/", "__") + ".log"), output);
      resolve({ file, code, killed, openHandles, skipped, seconds });
    });
  });
}

const results = [];
for (const file of files) {
  const r = await runOne(file);
  results.push(r);
  const verdict = r.killed ? `HUNG (killed after ${timeoutS} s)` : r.code === 0 ? "pass" : `FAIL (exit ${r.code})`;
  const notes = [r.openHandles && "open handles", r.skipped && "skipped tests"].filter(Boolean).join(", ");
  console.log(`${r.seconds.toFixed(1).padStart(7)} s  ${verdict}${notes ? `  [${notes}]` : ""}  ${file}`);
}
writeFileSync(join(outDir, "results.json"), JSON.stringify(results, null, 2));
const bad = results.filter((r) => r.killed || r.code !== 0 || r.openHandles || r.skipped);
const total = results.reduce((s, r) => s + r.seconds, 0);
console.log(`\n${results.length} files, ${bad.length} not clean, ${total.toFixed(0)} s in all; logs in ${outDir}`);
for (const r of bad) console.log(`  not clean: ${r.file}`);
process.exit(bad.length ? 1 : 0);
