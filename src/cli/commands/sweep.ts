import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TrellisError } from '../../errors/index.js';
import type { ParsedArgv } from '../../console/argv.js';
import type { CliIo } from '../io.js';

interface SweepRecord {
  entry?: string | null;
  cwd?: string;
  config_dir?: string;
  config_name?: string;
}

/** `trellis sweep resume DIR`: starts the sweep's app again on the jobs that did not complete. */
export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const [action, dir, ...rest] = args.overrides;
  if (action !== 'resume' || !dir || rest.length) {
    throw new TrellisError('USAGE', 'usage: trellis sweep resume <sweep-dir>', { hint: 'the sweep directory holds .trellis/sweep.json, e.g. multirun/2026-11-23/10-20-00' });
  }
  const sweepDir = resolve(io.cwd, dir);
  const recordFile = join(sweepDir, '.trellis', 'sweep.json');
  if (!existsSync(recordFile)) throw new TrellisError('SWEEP_INVALID', `${dir} is not a sweep directory (no .trellis/sweep.json)`);
  const record = JSON.parse(readFileSync(recordFile, 'utf8')) as SweepRecord;
  if (!record.entry) {
    throw new TrellisError('SWEEP_INVALID', `The sweep in ${dir} did not record the script that started it`, { hint: 'resume it from code, or run the app again with -m --resume ' + dir });
  }
  const cwd = record.cwd ?? io.cwd;
  const argv = [resolve(cwd, record.entry), '--resume', sweepDir, '--config-dir', record.config_dir ?? 'conf', '--config-name', record.config_name ?? 'config'];
  const child = spawn(process.execPath, argv, { cwd, stdio: 'inherit', env: io.env });
  return new Promise((resolveExit) => child.on('close', (code) => resolveExit(code ?? 1)));
}
