// The watchdog of a loop running beside the workers (the email batch sender, the outbox relay): a
// loop that makes no progress while work is due is hung — a promise on a dead connection that never
// settles — and no error will ever say so. The watchdog restarts it (the stalled one is stopped
// within a bound, a fresh one started), reports it in /metrics, and fails /healthz when even a
// fresh loop makes no progress, so an orchestrator's liveness probe restarts the process.
import type { ProcessLog } from "@callastar/process-log";

/** What a loop's watchdog reads of it. */
export interface LoopHealth {
  /** Epoch ms when the loop last completed a step (did work, or polled and found nothing due). */
  lastProgressAt: number;
  /** True when the loop has work due now (a step it should be taking). */
  workDue: boolean;
}

/** A loop beside the workers, started with them and stopped before them. */
export interface BackgroundLoop {
  stop(): Promise<void>;
  /** For the watchdog: when the loop last completed a step (did work, or polled and found nothing due), and whether work is due now. */
  health(): LoopHealth;
}

/** What the watchdog says of its loop (/healthz, /metrics). */
export interface LoopStatus {
  loop: string;
  /** False once a fresh loop, too, made no progress for `stallAfterMs` while work was due. */
  healthy: boolean;
  /** True from a stall's detection until the loop (or its replacement) makes progress again. */
  stalled: boolean;
  /** Ms since the loop's last progress (or since it started, when later). */
  progressAgeMs: number;
  workDue: boolean;
  restarts: number;
}

/** What GET /healthz answers: 200 while `healthy`, else 503; `body` is sent as JSON. */
export type HealthCheck = () => { healthy: boolean; body: Record<string, unknown> };

/** /healthz over a process' watched loops: 503 naming them once one is unhealthy. */
export function loopsHealth(watchdogs: () => readonly LoopWatchdog[]): HealthCheck {
  return () => {
    const loops = watchdogs().map((w) => w.status());
    const healthy = loops.every((l) => l.healthy);
    return { healthy, body: { status: healthy ? "ok" : "stalled", loops } };
  };
}

export interface LoopWatchdogOptions {
  /** The loop's name in logs, /healthz and metric labels. */
  name: string;
  /** Starts a loop; called once at start and again for each restart. */
  start: () => BackgroundLoop;
  /** No progress for this long while work is due: the loop is stalled and restarted. */
  stallAfterMs: number;
  /** A stalled loop's stop() gets this long before the fresh one starts anyway. */
  stopTimeoutMs: number;
  log: ProcessLog;
  /** How often the loop's health is read (default a quarter of stallAfterMs, at most 5 s). */
  checkEveryMs?: number;
  now?: () => number;
}

/** Watches one background loop; see the file's header. */
export class LoopWatchdog {
  private loop: BackgroundLoop;
  private startedAt: number;
  private stalledSince: number | undefined;
  private restarts = 0;
  private restarting: Promise<void> | undefined;
  private stopped = false;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: LoopWatchdogOptions) {
    this.now = options.now ?? Date.now;
    this.loop = options.start();
    this.startedAt = this.now();
    const every = options.checkEveryMs ?? Math.min(5_000, Math.max(50, Math.floor(options.stallAfterMs / 4)));
    this.timer = setInterval(() => this.check(), every);
    this.timer.unref();
  }

  /** Reads the loop's health once; restarts it when it is stalled. */
  check(): void {
    if (this.stopped || this.restarting) return;
    const { progressAgeMs, workDue, lastProgressAt } = this.read();
    // Progress is a step ended after the stall was seen and after the current loop started: a fresh
    // loop reporting its start as its last step has not proved anything yet.
    if (this.stalledSince !== undefined && lastProgressAt > Math.max(this.stalledSince, this.startedAt)) {
      this.options.log.info({ loop: this.options.name }, `${this.options.name}: making progress again`);
      this.stalledSince = undefined;
    }
    if (!workDue || progressAgeMs <= this.options.stallAfterMs) return;
    this.stalledSince ??= this.now();
    this.restarting = this.restart(progressAgeMs).finally(() => (this.restarting = undefined));
  }

  /** The loop's state for /healthz and /metrics. */
  status(): LoopStatus {
    const { progressAgeMs, workDue } = this.read();
    const stalled = this.stalledSince !== undefined;
    return {
      loop: this.options.name,
      healthy: !stalled || this.now() - this.stalledSince! <= this.options.stallAfterMs,
      stalled,
      progressAgeMs,
      workDue,
      restarts: this.restarts,
    };
  }

  /** Stops watching and stops the loop (bounded by stopTimeoutMs). Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.restarting;
    await this.stopWithin(this.loop, "shutdown");
  }

  private read(): { progressAgeMs: number; workDue: boolean; lastProgressAt: number } {
    let health: LoopHealth;
    try {
      health = this.loop.health();
    } catch (error) {
      // A loop that cannot even say how it is doing counts as due and without progress.
      this.options.log.warn({ loop: this.options.name, err: error }, `${this.options.name}: health() threw`);
      health = { lastProgressAt: 0, workDue: true };
    }
    const since = Math.max(health.lastProgressAt, this.startedAt);
    return { progressAgeMs: Math.max(0, this.now() - since), workDue: health.workDue, lastProgressAt: health.lastProgressAt };
  }

  private async restart(progressAgeMs: number): Promise<void> {
    const { name, log } = this.options;
    this.restarts++;
    log.error(
      { loop: name, progressAgeMs, restarts: this.restarts },
      `${name}: no progress for ${Math.round(progressAgeMs / 1000)} s while work is due; restarting it (restart ${this.restarts})`,
    );
    await this.stopWithin(this.loop, "restart");
    if (this.stopped) return;
    this.loop = this.options.start();
    this.startedAt = this.now();
  }

  private async stopWithin(loop: BackgroundLoop, why: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), this.options.stopTimeoutMs)));
    try {
      const outcome = await Promise.race([loop.stop().then(() => "stopped" as const), timedOut]);
      if (outcome === "timeout") {
        this.options.log.warn({ loop: this.options.name, stopTimeoutMs: this.options.stopTimeoutMs }, `${this.options.name}: did not stop within ${this.options.stopTimeoutMs} ms (${why}); left behind`);
      }
    } catch (error) {
      this.options.log.warn({ loop: this.options.name, err: error }, `${this.options.name}: stop failed (${why})`);
    } finally {
      clearTimeout(timer);
    }
  }
}
