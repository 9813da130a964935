// Jest orders files by the durations of its previous runs on this machine; a fresh clone (CI) has
// none, so it falls back to file size, and a two-minute file could start last and run alone at the
// end while the other worker sits idle. The files below take a minute or more (a loaded CI run's
// figures): they start first, longest first; every other file keeps jest's own order.
const { existsSync } = require("node:fs");
const { join } = require("node:path");
const Sequencer = require("@jest/test-sequencer").default;

const LONGEST_FIRST = [
  "apps/email-worker/src/pg-restart.integration.test.ts",
  "packages/producer/src/installable.integration.test.ts",
  "scripts/chaos.test.ts",
  "scripts/runtime-layout.test.ts",
  "apps/email-worker/src/sentinel-failover.integration.test.ts",
  "scripts/demo.test.ts",
  "scripts/pg-restart.test.ts",
  "apps/email-worker/src/crash.integration.test.ts",
  "apps/email-worker/src/adhoc-crash.integration.test.ts",
  "packages/runtime/src/stalls.integration.test.ts",
  "apps/email-worker/src/batch-sender.integration.test.ts",
  "scripts/bad-config.test.ts",
  "apps/outbox-relay/src/outbox.integration.test.ts",
];

// A file renamed or removed must not drop out of the list silently.
const missing = LONGEST_FIRST.filter((path) => !existsSync(join(__dirname, "..", path)));
if (missing.length) throw new Error(`scripts/jest-sequencer.cjs lists test files that do not exist: ${missing.join(", ")}`);

class LongestFirst extends Sequencer {
  sort(tests) {
    const known = (test) => {
      const index = LONGEST_FIRST.findIndex((path) => test.path.endsWith(`/${path}`));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    // A cache from an earlier run here knows better than the list: keep jest's order then.
    const ordered = super.sort(tests);
    if (ordered.some((test) => this.time(test) !== undefined)) return ordered;
    return ordered.map((test, i) => ({ test, i })).sort((a, b) => known(a.test) - known(b.test) || a.i - b.i).map(({ test }) => test);
  }
}

module.exports = LongestFirst;
