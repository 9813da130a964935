// The app processes of a chaos run: N copies of each worker app and the scheduler, each its own
// `node --import tsx` process as in production, restarted at once when it dies (as an orchestrator
// would), SIGKILLed at random on request. Output goes to one log file per copy.
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join, resolve } from "node:path";

/** The line each app prints once it takes work (runtime's worker app; the scheduler's registration). */
const READY_MARK: Record<string, string> = { scheduler: "registered ", "outbox-relay": "relaying" };
const DEFAULT_READY_MARK = "consuming ";

interface Member {
  app: string;
  copy: number;
  label: string;
  child: ChildProcess;
  ready: boolean;
  generation: number;
  log: WriteStream;
  startedAt: number;
}

/** A supervised set of app processes. */
export class Fleet {
  readonly kills: string[] = [];
  /** Exits nobody asked for (a crash, not a kill of ours): the app's log tells why. */
  readonly crashes: string[] = [];
  private readonly members: Member[] = [];
  private stopping = false;
  private readonly root = resolve(__dirname, "../..");

  constructor(
    private readonly env: (app: string) => Record<string, string>,
    private readonly logDir: string,
    private readonly random: () => number,
  ) {}

  /** Starts `copies` processes of `app`. */
  start(app: string, copies: number): void {
    for (let copy = 1; copy <= copies; copy++) {
      const label = `${app}#${copy}`;
      const log = createWriteStream(join(this.logDir, `${app}-${copy}.log`), { flags: "a" });
      const member = { app, copy, label, log, ready: false, generation: 0 } as Member;
      this.members.push(member);
      this.spawn(member);
    }
  }

  private spawn(member: Member): void {
    member.generation += 1;
    member.ready = false;
    member.startedAt = Date.now();
    member.log.write(`\n===== ${new Date().toISOString()} start #${member.generation} of ${member.label}\n`);
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: join(this.root, "apps", member.app),
      env: this.env(member.app),
      stdio: ["ignore", "pipe", "pipe"],
    });
    member.child = child;
    const mark = READY_MARK[member.app] ?? DEFAULT_READY_MARK;
    const onData = (chunk: Buffer) => {
      member.log.write(chunk);
      if (!member.ready && chunk.toString().includes(mark)) member.ready = true;
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const generation = member.generation;
    child.once("exit", (code, signal) => {
      member.log.write(`===== ${new Date().toISOString()} ${member.label} exited (${signal ?? code})\n`);
      if (this.stopping || member.generation !== generation) return;
      if (signal !== "SIGKILL") this.crashes.push(`${member.label} exited (${signal ?? code}) at ${new Date().toISOString()}`);
      // Restarted at once, as an orchestrator would; a crash loop shows up in `crashes`.
      this.spawn(member);
    });
  }

  /** True once every process has printed its ready line. */
  allReady(): boolean {
    return this.members.every((m) => m.ready);
  }

  /** Labels of the processes not ready yet. */
  notReady(): string[] {
    return this.members.filter((m) => !m.ready).map((m) => m.label);
  }

  /**
   * SIGKILLs one random process among `apps` that has started consuming; returns its label, or
   * undefined when every candidate is still booting (killing those only starves a loaded machine).
   */
  killRandom(apps: readonly string[]): string | undefined {
    const pool = this.members.filter((m) => apps.includes(m.app) && m.ready && m.child.exitCode === null && m.child.signalCode === null);
    const victim = pool[Math.floor(this.random() * pool.length)];
    if (!victim) return undefined;
    victim.child.kill("SIGKILL");
    this.kills.push(victim.label);
    return victim.label;
  }

  /** SIGTERMs the processes of `apps` (all when omitted), waits for them (SIGKILL after `timeoutMs`); no restart. */
  async stop(apps?: readonly string[], timeoutMs = 15_000): Promise<string[]> {
    const chosen = this.members.filter((m) => !apps || apps.includes(m.app));
    if (!apps) this.stopping = true;
    const unclean: string[] = [];
    await Promise.all(
      chosen.map(async (m) => {
        // Bumping the generation tells the exit handler this exit is ours.
        m.generation += 1;
        const child = m.child;
        if (child.exitCode !== null || child.signalCode !== null) return;
        const wasReady = m.ready;
        const exited = new Promise<number | string>((r) => child.once("exit", (code, signal) => r(signal ?? code ?? -1)));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        const how = await exited;
        clearTimeout(timer);
        // A process still booting has no shutdown path yet: dying of SIGTERM is expected there.
        if (how !== 0 && wasReady) unclean.push(`${m.label} exited ${how} on SIGTERM`);
      }),
    );
    return unclean;
  }

  /** Closes the log files. */
  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => new Promise<void>((r) => m.log.end(() => r()))));
  }
}
