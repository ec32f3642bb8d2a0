import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { readSweepRecord, sweepRecordPath } from '../../records/sweep-record.js';
import { didYouMean, TrellisError } from '../../errors/index.js';
import type { SweepRecord } from '../../records/sweep-record.js';
import type { ParsedArgv } from '../../console/argv.js';
import type { CliIo } from '../io.js';

/** `trellis sweep resume DIR` and `trellis sweep show DIR [--format text|json]`. */
export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const [action, dir, ...rest] = args.overrides;
  if ((action !== 'resume' && action !== 'show') || !dir || rest.length) {
    throw new TrellisError('USAGE', 'usage: trellis sweep resume <sweep-dir> | trellis sweep show <sweep-dir> [--format text|json]', {
      hint: `${action && !['resume', 'show'].includes(action) ? `${didYouMean(action, ['resume', 'show']) ?? 'actions: resume, show'}; ` : ''}the sweep directory holds .trellis/sweep.json, e.g. multirun/2026-11-23/10-20-00`,
    });
  }
  const sweepDir = resolve(io.cwd, dir);
  if (!existsSync(sweepRecordPath(sweepDir)))
    throw new TrellisError('SWEEP_INVALID', `${dir} is not a sweep directory (no ${relative(sweepDir, sweepRecordPath(sweepDir))})`);
  const record = readSweepRecord(sweepDir);
  if (action === 'show') return show(record, args, io);
  if (!record.entry) {
    throw new TrellisError('SWEEP_INVALID', `The sweep in ${dir} did not record the script that started it`, {
      hint: 'resume it from code, or run the app again with -m --resume ' + dir,
    });
  }
  const cwd = record.cwd ?? io.cwd;
  const argv = [resolve(cwd, record.entry), '--resume', sweepDir, '--config-dir', record.config_dir ?? 'conf', '--config-name', record.config_name ?? 'config'];
  const child = spawn(process.execPath, argv, { cwd, stdio: 'inherit', env: io.env });
  // Ctrl-C reaches the app too (one process group): it stops its jobs and prints the table, and
  // this process waits for it instead of dying first. A SIGTERM sent to this process alone is
  // passed on.
  const ignore = () => undefined;
  const forward = () => child.kill('SIGTERM');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  return new Promise((resolveExit) =>
    child.on('close', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', forward);
      resolveExit(code ?? (signal === 'SIGTERM' ? 143 : 130));
    }),
  );
}

/** Prints the trials table and the best trial (`--format json`: the same as data). */
async function show(record: SweepRecord, args: ParsedArgv, io: CliIo): Promise<number> {
  const format = typeof args.flags.format === 'string' ? args.flags.format : 'text';
  if (format !== 'text' && format !== 'json') throw new TrellisError('USAGE', `--format ${format} is not available here; use text or json`);
  const { renderSweepView, sweepView } = await import('../../sweep/show.js');
  const view = sweepView(record);
  io.stdout(format === 'json' ? `${JSON.stringify(view, null, 2)}\n` : renderSweepView(view));
  return 0;
}
