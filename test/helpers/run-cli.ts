import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');
/** The built CLI, exactly what `npm ci` installs as `trellis`. */
export const cliPath = join(repoRoot, 'dist', 'bundle', 'bin.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A clean environment: no colours, no TRELLIS_ variables. */
function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('TRELLIS_')) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs the real CLI in `cwd` with a clean environment (no colours, no TRELLIS_ variables). */
export function runCli(args: string[], options: { cwd: string; env?: Record<string, string> }): CliResult {
  const result = spawnSync(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: cliEnv(options.env), encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Like runCli, without waiting: several calls run at once (for races between processes). */
export function spawnCli(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: cliEnv(options.env), timeout: 30_000 });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
