import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
/** The built CLI, exactly what `npm ci` installs as `trellis`. */
export const cliPath = join(repoRoot, 'dist', 'bundle', 'bin.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in `cwd` with a clean environment (no colours, no TRELLIS_ variables). */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string> }): CliResult {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('TRELLIS_')) env[k] = v;
  const result = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: options.cwd,
    env: { ...env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
