/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Colours only on a terminal and never with NO_COLOR. */
  color: boolean;
  /** The terminal's width when stdout is one; tables are cut to it. */
  columns?: number | undefined;
  /** Resolves once stdout can take more: long streamed output waits here instead of piling up in memory. */
  drain?: () => Promise<void>;
}

export function processIo(): CliIo {
  const env = process.env;
  // `trellis … | head`: the reader has what it wanted; stop quietly instead of a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env,
    cwd: process.cwd(),
    color: Boolean(process.stderr.isTTY) && !('NO_COLOR' in env) && env.TERM !== 'dumb',
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    drain: () => (process.stdout.writableNeedDrain ? new Promise((resolve) => process.stdout.once('drain', () => resolve())) : Promise.resolve()),
  };
}
