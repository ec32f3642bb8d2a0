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
}

export function processIo(): CliIo {
  const env = process.env;
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env,
    cwd: process.cwd(),
    color: Boolean(process.stderr.isTTY) && !('NO_COLOR' in env) && env.TERM !== 'dumb',
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  };
}
