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
  return spawnScript(resolve(__dirname, "../../../apps", app), "src/main.ts", env, nodeArgs);
}

/** Starts `script` (relative to `cwd`, run with tsx) as a real process, e.g. a package's test fixture worker. */
export function spawnScript(cwd: string, script: string, env: Record<string, string>, nodeArgs: readonly string[] = []): AppProcess {
  const app = script;
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", script], {
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
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | string>((r) => child.once("exit", (code, signal) => r(signal ?? code ?? -1)));
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
          reject(new Error(`${app} did not print "${text}" within ${timeoutMs} ms; output:\n${out}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}
