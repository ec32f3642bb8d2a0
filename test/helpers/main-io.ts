import { main } from '../../src/cli/main.js';

/** Runs a trellis command in this process, as the CLI would in `cwd` (on a terminal `columns` wide), and keeps what it printed. */
export async function runMain(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  columns?: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, cwd, color: false, columns });
  return { code, stdout, stderr };
}
