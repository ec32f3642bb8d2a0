import { main } from '../../src/cli/main.js';

/** Runs a trellis command in this process, as the CLI would in `cwd`, and keeps what it printed. */
export async function runMain(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, cwd, color: false });
  return { code, stdout, stderr };
}
