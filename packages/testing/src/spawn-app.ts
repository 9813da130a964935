import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { testEnv } from "./env";

export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Resolves when the output contains `text`. */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
}

/** Starts a real app process (`node [nodeArgs] --import tsx src/main.ts` in apps/<app>) with the given env. */
export function spawnApp(app: string, env: Record<string, string>, nodeArgs: readonly string[] = []): AppProcess {
  return spawnNode(app, resolve(__dirname, "../../../apps", app), [...nodeArgs, "--import", "tsx", "src/main.ts"], env);
}

/** Starts `node --import tsx <script> [args]` (a test's own child process) with the given env. */
export function spawnScript(script: string, args: readonly string[], env: Record<string, string> = {}): AppProcess {
  return spawnNode(script, resolve(script, ".."), ["--import", "tsx", script, ...args], env);
}

function spawnNode(label: string, cwd: string, argv: readonly string[], env: Record<string, string>): AppProcess {
  return spawnProcess(label, cwd, process.execPath, argv, env);
}

/** Starts any command (a compiled app, `pnpm start`, the image's CMD) in `cwd`, its output captured. */
export function spawnProcess(label: string, cwd: string, command: string, argv: readonly string[], env: Record<string, string>): AppProcess {
  const child = spawn(command, argv, {
    cwd,
    env: { ...testEnv.childBase, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    out += chunk.toString();
    for (const l of listeners) l();
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  // "exit" can come before the last output is read from the pipes: wait for both to end too, but not
  // for a grandchild that inherited them and outlives the process (bounded by a second).
  const ended = (stream: NodeJS.ReadableStream) => new Promise<void>((r) => stream.once("end", r).once("error", () => r()));
  const drained = Promise.all([ended(child.stdout), ended(child.stderr)]);
  const exited = new Promise<number | string>((r) =>
    child.once("exit", (code, signal) => {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((t) => (timer = setTimeout(t, 1_000)));
      void Promise.race([drained, bound]).then(() => {
        clearTimeout(timer);
        r(signal ?? code ?? -1);
      });
    }),
  );
  return {
    child,
    output: () => out,
    exited,
    waitForOutput(text, timeoutMs = 30_000) {
      return new Promise((resolvePromise, reject) => {
        const check = () => {
          if (out.includes(text)) {
            listeners.delete(check);
            clearTimeout(timer);
            resolvePromise();
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${label} did not print "${text}" within ${timeoutMs} ms; output:\n${out}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}
