import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait.js';

/**
 * A terminal driven through tmux, for testing what an interactive shell shows: type, press keys,
 * wait for the screen to show something. Each terminal has a server of its own (its socket lives
 * in `dir`), so tests never touch another tmux.
 */
export class Terminal {
  private readonly socket: string;

  constructor(dir: string, command: string, env: Record<string, string>) {
    this.socket = join(dir, 'tmux.sock');
    this.tmux(['-f', '/dev/null', 'new-session', '-d', '-s', 't', '-c', dir, '-x', '150', '-y', '45', command], env);
  }

  private tmux(args: string[], env?: Record<string, string>): string {
    const r = spawnSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8', env: env ?? process.env });
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  /** Types text literally. */
  type(text: string): void {
    this.tmux(['send-keys', '-t', 't', '-l', text]);
  }

  /** Presses keys by tmux name: Tab, Enter, C-c, C-u. */
  press(...keys: string[]): void {
    this.tmux(['send-keys', '-t', 't', ...keys]);
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', 't']);
  }

  /** Waits until the screen satisfies `check`; fails with the screen shown. */
  async waitFor(check: (screen: string) => boolean, what: string, timeoutMs = 60_000): Promise<string> {
    try {
      return await waitFor(
        () => {
          const s = this.screen();
          return check(s) ? s : undefined;
        },
        what,
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; the screen:\n${this.screen()}`);
    }
  }

  /** Runs a command line and waits for `marker` on a line of its own. */
  async run(line: string): Promise<void> {
    const marker = `done-${Math.random().toString(36).slice(2, 8)}`;
    this.type(`${line}; echo ${marker}`);
    this.press('Enter');
    await this.waitFor((s) => s.split('\n').some((l) => l.trim() === marker), `'${line}' to finish`);
  }

  /** Abandons the line, clears the screen and waits for a bare prompt. */
  async reset(prompt: string): Promise<void> {
    // A Ctrl-C that lands while the shell is still running a completion (a slow first TAB)
    // cancels that completion and leaves the line: press it again until the line is bare.
    const bare = (s: string) => s.trimEnd().split('\n').at(-1)?.trim() === prompt.trim();
    for (let attempt = 1; ; attempt++) {
      this.press('C-c');
      try {
        await this.waitFor(bare, 'an empty line after Ctrl-C', 3000);
        break;
      } catch (error) {
        if (attempt === 5) throw error;
      }
    }
    this.type('clear');
    this.press('Enter');
    await this.waitFor((s) => s.trim() === prompt.trim(), 'a clear screen');
  }

  kill(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // Already gone.
    }
  }
}
