// patches/postgres@3.4.9.patch: the connection queue must stay a correct FIFO with removal, and
// the installed postgres.js must be the patched one (a lockfile or upgrade that drops the patch
// would bring back the O(uptime) scan silently).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const queueFile = join(dirname(require.resolve("postgres")), "queue.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports -- postgres.js does not export its queue module
const Queue = require(queueFile) as <T>(initial?: T[]) => { length: number; push(x: T): T; shift(): T | undefined; remove(x: T): T | null };

it("the installed postgres.js carries the queue patch", () => {
  expect(readFileSync(queueFile, "utf8")).toContain("xs.indexOf(x, index)");
});

it("stays a FIFO with removal through compactions of a queue that never empties", () => {
  const q = Queue<number>();
  const model: number[] = [];
  let next = 0;
  q.push(next);
  model.push(next++);
  for (let i = 0; i < 5_000; i++) {
    q.push(next);
    model.push(next++);
    if (i % 7 === 0) {
      const victim = model[model.length >> 1]!;
      expect(q.remove(victim)).toBe(victim);
      model.splice(model.indexOf(victim), 1);
    }
    expect(q.shift()).toBe(model.shift());
    expect(q.length).toBe(model.length);
  }
  expect(q.remove(-1)).toBeNull();
  while (model.length) expect(q.shift()).toBe(model.shift());
  expect(q.length).toBe(0);
});
