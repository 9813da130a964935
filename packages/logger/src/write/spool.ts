// Disk spool for rows that cannot stay in memory: fsync'd JSON lines. File states, in the name:
//   spool~<ts>~<host>~<pid>~<rand>~open.jsonl            being appended by its owner process
//   spool~<ts>~<host>~<pid>~<rand>~ready.jsonl           sealed, waiting for a replay
//   spool~<ts>~<host>~<pid>~<rand>~claimed~<host>~<pid>.jsonl   being replayed by that process
// A replayer claims a file by renaming it (atomic), so two processes never replay the same file.
// Open/claimed files whose owner died on this host are claimable too. A spool directory is per host.
import { randomBytes } from "node:crypto";
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { mkdir, open, readdir, rename, rm, type FileHandle } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { isStoredRow, type StoredRow } from "./row";

const HOST = hostname().replace(/[^A-Za-z0-9.-]/g, "_") || "host";
const PID = String(process.pid);

interface Parsed {
  base: string;
  state: string;
  owner: [string, string];
  claimer?: [string, string];
}

function parseName(name: string): Parsed | undefined {
  if (!name.startsWith("spool~") || !name.endsWith(".jsonl")) return undefined;
  const p = name.slice(0, -".jsonl".length).split("~");
  if (p.length < 6) return undefined;
  const parsed: Parsed = { base: p.slice(0, 5).join("~"), state: p[5]!, owner: [p[2]!, p[3]!] };
  if (p[5] === "claimed" && p.length >= 8) parsed.claimer = [p[6]!, p[7]!];
  return parsed;
}

function processGone([host, pid]: [string, string]): boolean {
  if (host !== HOST || pid === PID) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** An append-only spool directory of audit rows, with claim/replay for the next process. */
export class Spool {
  private file: { handle: FileHandle; base: string } | undefined;
  private queued: { lines: string; rows: number; done: (error?: unknown) => void }[] = [];
  private chain: Promise<void> = Promise.resolve();
  private draining = false;
  /** Rows appended to the currently open file, not yet sealed for replay. */
  rowsInOpenFile = 0;

  constructor(readonly dir: string) {}

  /** Appends rows durably (fsync) before resolving; concurrent appends share one write + fsync. */
  append(rows: readonly StoredRow[]): Promise<void> {
    const lines = rows.map((r) => JSON.stringify(r) + "\n").join("");
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ lines, rows: rows.length, done: (e) => (e ? reject(e) : resolve()) });
      if (!this.draining) {
        this.draining = true;
        this.serial(() => this.drain());
      }
    });
  }

  /**
   * Writes rows as a new, already-sealed file, synchronously: for the process `exit` hook and for
   * calls made after close(), when no async work can be relied upon any more.
   */
  writeSegmentSync(rows: readonly StoredRow[]): void {
    mkdirSync(this.dir, { recursive: true });
    const base = `spool~${Date.now().toString(36)}~${HOST}~${PID}~${randomBytes(4).toString("hex")}`;
    const tmp = join(this.dir, `${base}~tmp.jsonl`);
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, rows.map((r) => JSON.stringify(r) + "\n").join(""));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, `${base}~ready.jsonl`));
  }

  /** Closes the open file and marks it ready for replay; the next append starts a new file. */
  seal(): Promise<void> {
    return this.serial(async () => {
      const file = this.file;
      if (!file) return;
      this.file = undefined;
      this.rowsInOpenFile = 0;
      await file.handle.close();
      await rename(join(this.dir, `${file.base}~open.jsonl`), join(this.dir, `${file.base}~ready.jsonl`));
      await this.syncDir();
    });
  }

  /** Renames every replayable file to a claimed name owned by this process; returns their paths. */
  async claim(): Promise<string[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const claimed: string[] = [];
    for (const name of names) {
      const p = parseName(name);
      if (!p) continue;
      const claimable =
        p.state === "ready" ||
        (p.state === "open" && processGone(p.owner)) ||
        (p.state === "claimed" && p.claimer !== undefined && processGone(p.claimer));
      if (!claimable) continue;
      const target = join(this.dir, `${p.base}~claimed~${HOST}~${PID}.jsonl`);
      try {
        await rename(join(this.dir, name), target);
        claimed.push(target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error; // another process won
      }
    }
    return claimed;
  }

  /** Reads a claimed file in chunks; lines that do not parse (a torn write) go to `onBadLine`. */
  async *read(path: string, chunkSize: number, onBadLine: (line: string) => void): AsyncGenerator<StoredRow[]> {
    const lines = createInterface({ input: createReadStream(path, "utf8"), crlfDelay: Infinity });
    let chunk: StoredRow[] = [];
    for await (const line of lines) {
      if (!line.trim()) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        value = undefined;
      }
      if (!isStoredRow(value)) {
        onBadLine(line);
        continue;
      }
      chunk.push(value);
      if (chunk.length >= chunkSize) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length) yield chunk;
  }

  /** Gives a claimed file back (replay interrupted); ids make a second replay harmless. */
  async release(path: string): Promise<void> {
    const p = parseName(path.slice(path.lastIndexOf("/") + 1));
    if (p) await rename(path, join(this.dir, `${p.base}~ready.jsonl`));
  }

  /** Deletes a fully replayed file. */
  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
    await this.syncDir();
  }

  private serial(op: () => Promise<void>): Promise<void> {
    const run = this.chain.then(op);
    this.chain = run.catch(() => {});
    return run;
  }

  private async drain(): Promise<void> {
    while (this.queued.length) {
      const batch = this.queued;
      this.queued = [];
      try {
        const file = await this.openFile();
        await file.handle.appendFile(batch.map((b) => b.lines).join(""), "utf8");
        await file.handle.sync();
        for (const b of batch) this.rowsInOpenFile += b.rows;
        for (const b of batch) b.done();
      } catch (error) {
        for (const b of batch) b.done(error);
      }
    }
    this.draining = false;
  }

  private async openFile(): Promise<{ handle: FileHandle; base: string }> {
    if (this.file) return this.file;
    await mkdir(this.dir, { recursive: true });
    const base = `spool~${Date.now().toString(36)}~${HOST}~${PID}~${randomBytes(4).toString("hex")}`;
    const handle = await open(join(this.dir, `${base}~open.jsonl`), "a");
    this.file = { handle, base };
    await this.syncDir(); // the file's directory entry must survive a crash too
    return this.file;
  }

  private async syncDir(): Promise<void> {
    const dir = await open(this.dir, "r");
    try {
      await dir.sync();
    } catch {
      // Some filesystems refuse fsync on a directory; the file data itself is already synced.
    } finally {
      await dir.close();
    }
  }
}
