import { createRequire } from 'node:module';
import type Picocolors from 'picocolors';

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Colours only on a terminal and never with NO_COLOR. */
  color: boolean;
}

export function processIo(): CliIo {
  const env = process.env;
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env,
    cwd: process.cwd(),
    color: Boolean(process.stderr.isTTY) && !('NO_COLOR' in env) && env.TERM !== 'dumb',
  };
}

let picocolors: typeof Picocolors | undefined;

/**
 * picocolors is loaded on first use: most commands that succeed never colour anything, and
 * every module a command does not need adds to its start-up time.
 */
export function colors(enabled: boolean) {
  picocolors ??= createRequire(import.meta.url)('picocolors') as typeof Picocolors;
  const c = picocolors.createColors(enabled);
  return { red: c.red, dim: c.dim, bold: c.bold, cyan: c.cyan, green: c.green, yellow: c.yellow };
}
