import { existsSync, readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';

/**
 * Resolves with the first truthy value of `check`, looked at every few milliseconds: a test
 * waits for an event (a file, a record's state), never for a fixed time. Fails after `timeoutMs`.
 */
export async function waitFor<T>(check: () => T | undefined | null | false, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A JSON file's content once it exists and parses (and `accept` holds), else undefined. */
export function jsonIf<T = Record<string, unknown>>(path: string, accept: (value: T) => boolean = () => true): T | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as T;
    return accept(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves with a child's exit code (or signal name). */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
}

/** Collects a child's stderr; `waitForText` resolves when it has printed `text`. */
export function stderrOf(child: ChildProcess): { text: () => string; waitForText: (text: string) => Promise<void> } {
  let all = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stderr?.on('data', (d: Buffer) => {
    all += d.toString();
    for (const w of [...waiters]) if (all.includes(w.text)) w.resolve();
  });
  return {
    text: () => all,
    waitForText: (text) => (all.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }))),
  };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
