// Disk spool for rows whose callers were released before PostgreSQL committed them, and for rows
// that cannot stay in memory: fsync'd JSON lines. One directory may be shared by any number of
// processes, containers and hosts (a volume). File states, in the name (<id> = time36.random):
//   spool-<id>-open-<owner>.jsonl      being appended by its owner
//   spool-<id>-ready.jsonl             sealed, waiting for any replayer
//   spool-<id>-claimed-<owner>.jsonl   being replayed by its owner
//   spool-<id>-tmp-<owner>.jsonl       a synchronous segment being written (exit hook)
// <owner> is random per Spool instance, never a PID or hostname: a restarted container is PID 1
// again on the same hostname, so those cannot tell a dead owner from a live one. Liveness is a
// lease instead: an owner touches the mtime of every file it holds each `refreshMs`; a file whose
// mtime is older than `staleMs` belongs to a dead (or hung) owner and may be taken over. Taking a
// file = touch it, then rename it to our claimed name: the rename is atomic, so of two claimers one
// wins; the touch first means the winner's file never looks stale to a third one.
import { randomBytes } from "node:crypto";
import { closeSync, createReadStream, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, utimes, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { isStoredRow, type StoredRow } from "./row";

const NAME = /^spool-([0-9a-z]+\.[0-9a-f]+)-(open|ready|claimed|tmp)(?:-([0-9a-f]+))?\.jsonl$/;
// Files written by the previous version (`spool~ts~host~pid~rand~state[~claimed~host~pid]`): ready
// ones are claimable as before; open/claimed ones are taken over once their mtime is stale.
const LEGACY = /^spool~.+~(open|ready|claimed|tmp)(~[^~]*~[^~]*)?\.jsonl$/;

/** Lease timings of a spool directory. */
export interface SpoolLease {
  /** How often an owner touches the files it holds. */
  refreshMs: number;
  /** A file untouched for this long is taken over by another process. */
  staleMs: number;
}

interface Parsed {
  state: "open" | "ready" | "claimed" | "tmp";
  owner: string | undefined;
}

function parseName(name: string): Parsed | undefined {
  const m = NAME.exec(name);
  if (m) return { state: m[2] as Parsed["state"], owner: m[3] };
  const legacy = LEGACY.exec(name);
  if (legacy) return { state: legacy[1] as Parsed["state"], owner: "legacy" };
  return undefined;
}

const newId = () => `${Date.now().toString(36)}.${randomBytes(4).toString("hex")}`;
const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

/** Rows appended with `held`: the writer still holds them in memory and settles each one. */
export interface SpoolTicket {
  /** One held row reached PostgreSQL (or was refused by it); the file need not replay it. */
  settled(): void;
}

interface OpenFile {
  handle: FileHandle;
  path: string;
  id: string;
  ino: number;
  /** Rows whose in-memory copy is not yet settled. */
  held: number;
  /** Rows that exist only here (overflow): the file must be replayed, never just deleted. */
  orphans: number;
}

/** Result of a claim pass. */
export interface ClaimResult {
  /** Claimed files, oldest first. */
  files: string[];
  /** When a file held by another owner becomes stale if that owner stops refreshing it. */
  recheckAt: number | undefined;
}

/** An append-only spool directory of audit rows, with lease-based claim/replay by any process. */
export class Spool {
  /** This instance's owner token in file names. */
  readonly owner = randomBytes(8).toString("hex");
  private file: OpenFile | undefined;
  private queued: { lines: string; rows: number; held: boolean; done: (error?: unknown, ticket?: SpoolTicket) => void }[] = [];
  private chain: Promise<void> = Promise.resolve();
  private draining = false;
  /** Claimed files this instance is replaying (their leases are refreshed too). */
  private readonly claimed = new Set<string>();
  private heartbeat: NodeJS.Timeout | undefined;

  /** `onSettled`: the open file's held rows are now all settled (it may be retired). */
  constructor(
    readonly dir: string,
    readonly lease: SpoolLease,
    private readonly onSettled: () => void = () => {},
  ) {}

  /** An open file exists (rows spooled since the last seal). */
  get hasOpenFile(): boolean {
    return this.file !== undefined;
  }

  /**
   * Appends rows durably (fsync) before resolving; concurrent appends share one write + fsync.
   * `held`: the caller keeps the rows in memory and reports each one through the ticket once it
   * is committed, so a file whose rows are all settled can be deleted instead of replayed.
   */
  append(rows: readonly StoredRow[], held: boolean): Promise<SpoolTicket> {
    const lines = rows.map((r) => JSON.stringify(r) + "\n").join("");
    return new Promise<SpoolTicket>((resolve, reject) => {
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejects with what the write threw, as it came
      this.queued.push({ lines, rows: rows.length, held, done: (e, ticket) => (e ? reject(e) : resolve(ticket!)) });
      if (!this.draining) {
        this.draining = true;
        void this.serial(() => this.drain());
      }
    });
  }

  /**
   * Writes rows as a new, already-sealed file, synchronously: for the process `exit` hook and for
   * calls made after close(), when no async work can be relied upon any more.
   */
  writeSegmentSync(rows: readonly StoredRow[]): void {
    mkdirSync(this.dir, { recursive: true });
    const id = newId();
    const tmp = join(this.dir, `spool-${id}-tmp-${this.owner}.jsonl`);
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, rows.map((r) => JSON.stringify(r) + "\n").join(""));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, `spool-${id}-ready.jsonl`));
  }

  /** At process exit: hands the open file to the next process now rather than after its lease expires. */
  sealSync(): void {
    const file = this.file;
    if (!file) return;
    this.file = undefined;
    try {
      renameSync(file.path, join(this.dir, `spool-${file.id}-ready.jsonl`));
    } catch {
      // Taken over already, or the disk is gone: its lease expires and it is replayed anyway.
    }
  }

  /**
   * Closes the open file: deleted when every row in it is committed (`onlyIfSettled` skips files
   * whose held rows are not all settled yet), otherwise renamed ready for a replayer. Resolves
   * true when a file was handed to replay.
   */
  seal(onlyIfSettled = false): Promise<boolean> {
    let handedOver = false;
    return this.serial(async () => {
      const file = this.file;
      if (!file || (onlyIfSettled && file.held > 0)) return;
      this.file = undefined;
      this.stopHeartbeatIfIdle();
      await file.handle.close();
      try {
        if (file.held === 0 && file.orphans === 0) await rm(file.path);
        else {
          await rename(file.path, join(this.dir, `spool-${file.id}-ready.jsonl`));
          handedOver = true;
        }
      } catch (error) {
        if (!isMissing(error)) throw error; // taken over by a replayer that thought us dead: it has it
      }
      await this.syncDir();
    }).then(() => handedOver);
  }

  /** Claims every ready file and every file whose lease is stale; the caller replays them. */
  async claim(): Promise<ClaimResult> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).sort();
    } catch (error) {
      if (isMissing(error)) return { files: [], recheckAt: undefined };
      throw error;
    }
    const files: string[] = [];
    let recheckAt: number | undefined;
    for (const name of names) {
      const p = parseName(name);
      if (!p || p.owner === this.owner) continue;
      const path = join(this.dir, name);
      if (p.state !== "ready") {
        let mtimeMs: number;
        try {
          mtimeMs = (await stat(path)).mtimeMs;
        } catch (error) {
          if (isMissing(error)) continue;
          throw error;
        }
        const staleAt = mtimeMs + this.lease.staleMs;
        if (staleAt > Date.now()) {
          recheckAt = Math.min(recheckAt ?? staleAt, staleAt);
          continue;
        }
      }
      const target = join(this.dir, `spool-${newId()}-claimed-${this.owner}.jsonl`);
      try {
        const now = new Date();
        await utimes(path, now, now);
        await rename(path, target);
      } catch (error) {
        if (isMissing(error)) continue; // another process won this one
        throw error;
      }
      this.claimed.add(target);
      files.push(target);
    }
    if (files.length) this.startHeartbeat();
    return { files, recheckAt };
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
    this.claimed.delete(path);
    this.stopHeartbeatIfIdle();
    const m = NAME.exec(path.slice(path.lastIndexOf("/") + 1));
    try {
      await rename(path, join(this.dir, `spool-${m?.[1] ?? newId()}-ready.jsonl`));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  /** Deletes a fully replayed file. */
  async remove(path: string): Promise<void> {
    this.claimed.delete(path);
    this.stopHeartbeatIfIdle();
    await rm(path, { force: true });
    await this.syncDir();
  }

  /** Stops refreshing leases (close): files still held are then taken over once stale. */
  stop(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => void this.refresh(), this.lease.refreshMs);
    // A held lease must not keep a process alive; the owner's own shutdown seals or releases files.
    this.heartbeat.unref();
  }

  private stopHeartbeatIfIdle(): void {
    if (!this.file && this.claimed.size === 0) this.stop();
  }

  private async refresh(): Promise<void> {
    const now = new Date();
    const file = this.file;
    if (file) {
      // A file taken over while we were stalled past the lease: append to a new one from now on.
      await utimes(file.path, now, now).catch((error: unknown) => {
        if (!isMissing(error) || this.file !== file) return;
        this.file = undefined;
        void this.serial(() => file.handle.close()); // after any append in progress on it
      });
    }
    for (const path of this.claimed) await utimes(path, now, now).catch(() => {});
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op);
    this.chain = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  private async drain(): Promise<void> {
    while (this.queued.length) {
      const batch = this.queued;
      this.queued = [];
      try {
        const file = await this.writeDurably(batch.map((b) => b.lines).join(""));
        const ticket = this.ticketFor(file);
        for (const b of batch) {
          if (b.held) file.held += b.rows;
          else file.orphans += b.rows;
        }
        for (const b of batch) b.done(undefined, ticket);
      } catch (error) {
        for (const b of batch) b.done(error);
      }
    }
    this.draining = false;
  }

  // Appends and fsyncs, then checks the file is still ours: one taken over (we stalled past the
  // lease) before this write may already be replayed without it, so the write goes to a new file.
  private async writeDurably(text: string): Promise<OpenFile> {
    for (;;) {
      const file = await this.openFile();
      await file.handle.appendFile(text, "utf8");
      await file.handle.sync();
      const still = await stat(file.path).catch((error: unknown) => {
        if (isMissing(error)) return undefined;
        throw error;
      });
      if (still?.ino === file.ino) return file;
      if (this.file === file) this.file = undefined;
      await file.handle.close().catch(() => {});
    }
  }

  private ticketFor(file: OpenFile): SpoolTicket {
    return {
      settled: () => {
        file.held = Math.max(0, file.held - 1);
        if (file.held === 0 && this.file === file) this.onSettled();
      },
    };
  }

  private async openFile(): Promise<OpenFile> {
    if (this.file) return this.file;
    await mkdir(this.dir, { recursive: true });
    const id = newId();
    const path = join(this.dir, `spool-${id}-open-${this.owner}.jsonl`);
    const handle = await open(path, "a");
    const { ino } = await handle.stat();
    this.file = { handle, path, id, ino, held: 0, orphans: 0 };
    await this.syncDir(); // the file's directory entry must survive a crash too
    this.startHeartbeat();
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
