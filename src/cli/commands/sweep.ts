import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { readSweepRecord, sweepRecordPath, type SweepRecord } from '../../records/sweep-record.js';
import { commandJobFlags, readRunRecord, type CommandRecord } from '../../records/run-record.js';
import { trellisBin } from '../../console/versions.js';
import { renderSweepTable } from '../../records/sweep-table.js';
import { renderSweepView, sweepView } from '../../sweep/show.js';
import { didYouMean, TrellisError } from '../../errors/index.js';
import { listSweeps, summarizeSweep, sweepDirOf, type SweepSummary } from '../../store/list-sweeps.js';
import { cell } from '../../store/render.js';
import type { ParsedArgv } from '../../console/argv.js';
import type { CliIo } from '../io.js';

const ACTIONS = ['list', 'show', 'resume'] as const;

function formatOf(flags: ParsedArgv['flags'], allowed: readonly string[]): string {
  const f = typeof flags.format === 'string' ? flags.format : allowed[0]!;
  if (!allowed.includes(f)) throw new TrellisError('USAGE', `--format ${f} is not available here; use ${allowed.join(' or ')}`);
  return f;
}

function statusText(s: SweepSummary): string {
  if (s.problem) return s.problem;
  return Object.entries(s.statuses)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
}

/** `trellis sweep list [ROOT…]`: every recorded sweep, oldest first. */
function list(roots: string[], flags: ParsedArgv['flags'], io: CliIo): number {
  const format = formatOf(flags, ['table', 'json']);
  const sweeps = listSweeps(roots, io.cwd);
  if (format === 'json') {
    io.stdout(`${JSON.stringify(sweeps, null, 2)}\n`);
    return 0;
  }
  if (!sweeps.length) {
    io.stderr(`no sweeps: nothing under ${roots.length ? roots.join(', ') : 'multirun/'} holds .trellis/sweep.json\n`);
    return 0;
  }
  const header = ['dir', 'created', 'strategy', 'launcher', 'jobs', 'best', 'statuses'];
  const body = sweeps.map((s) => [
    s.dir,
    s.created ?? '-',
    s.strategy ?? '-',
    s.launcher ?? '-',
    String(s.jobs),
    s.best === null ? '-' : `${cell(s.best)}${s.objective?.name ? ` ${s.objective.name}` : ''}`,
    statusText(s),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  io.stdout(`${[line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')}\n`);
  return 0;
}

/** `trellis sweep show DIR`: a past sweep's job table, as it printed at the end. */
function show(dir: string, flags: ParsedArgv['flags'], io: CliIo): number {
  const format = formatOf(flags, ['text', 'json']);
  const sweepDir = sweepDirOf(dir, io.cwd);
  const record = readSweepRecord(sweepDir);
  const summary = summarizeSweep(sweepDir, record, io.cwd);
  // A model-based sweep's trials: the parameters each one was given, and the best trial.
  const view = sweepView(record);
  if (format === 'json') {
    const summaryOut = { jobs: summary.jobs, statuses: summary.statuses, best: summary.best };
    io.stdout(`${JSON.stringify({ ...record, dir: summary.dir, summary: summaryOut, trials: view.trials, best: view.best }, null, 2)}\n`);
    return 0;
  }
  const mode = record.objective?.mode === 'max' ? 'max' : 'min';
  const lines = [
    `sweep     ${summary.dir}`,
    `created   ${record.created ?? '-'}`,
    `strategy  ${record.strategy ?? '-'} (launcher ${record.launcher ?? '-'})`,
    `objective ${record.objective?.name ?? 'the returned number'} (${mode})`,
    `jobs      ${summary.jobs}: ${statusText(summary)}`,
    '',
    record.jobs.some((j) => j.params) ? renderSweepView(view).trimEnd() : renderSweepTable(record.jobs, mode, record.objective?.name ?? 'objective'),
  ];
  io.stdout(`${lines.join('\n')}\n`);
  return 0;
}

/** `trellis sweep list|show|resume`. */
export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const [action, ...rest] = args.overrides;
  if (action === 'list') return list(rest, args.flags, io);
  if (action === 'show') {
    if (rest.length !== 1) throw new TrellisError('USAGE', 'usage: trellis sweep show <sweep-dir> [--format text|json]');
    return show(rest[0]!, args.flags, io);
  }
  if (action !== 'resume')
    throw new TrellisError('USAGE', action === undefined ? 'trellis sweep needs an action' : `Unknown action 'sweep ${action}'`, {
      hint: (action && didYouMean(action, ACTIONS)) || `actions: ${ACTIONS.join(', ')}`,
    });
  return resume(rest, io);
}

/**
 * The command of a sweep of `trellis run -- COMMAND`, from the first of its jobs that recorded
 * one; undefined for an app's sweep, null for a command sweep none of whose jobs started.
 */
function commandOfSweep(sweepDir: string, record: SweepRecord): { command: CommandRecord; name: string } | null | undefined {
  for (const job of record.jobs) {
    if (!job.dir) continue;
    const run = readRunRecord(resolve(sweepDir, job.dir));
    if (run?.command) return { command: run.command, name: run.name ?? 'command' };
    if (run) return undefined;
  }
  return record.entry !== null && resolve(record.cwd ?? '.', record.entry) === trellisBin() ? null : undefined;
}

/** `trellis sweep resume DIR`: starts the sweep's app again on the jobs that did not complete. */
async function resume(args: string[], io: CliIo): Promise<number> {
  const [dir, ...rest] = args;
  if (!dir || rest.length) {
    throw new TrellisError('USAGE', 'usage: trellis sweep resume <sweep-dir>', {
      hint: 'the sweep directory holds .trellis/sweep.json, e.g. multirun/2026-11-23/10-20-00',
    });
  }
  const sweepDir = resolve(io.cwd, dir);
  if (!existsSync(sweepRecordPath(sweepDir)))
    throw new TrellisError('SWEEP_INVALID', `${dir} is not a sweep directory (no ${relative(sweepDir, sweepRecordPath(sweepDir))})`);
  const record = readSweepRecord(sweepDir);
  if (!record.entry) {
    throw new TrellisError('SWEEP_INVALID', `The sweep in ${dir} did not record the script that started it`, {
      hint: 'resume it from code, or run the app again with -m --resume ' + dir,
    });
  }
  const cwd = record.cwd ?? io.cwd;
  const configArgs = ['--config-dir', record.config_dir ?? 'conf', '--config-name', record.config_name ?? 'config'];
  // A sweep of `trellis run -- COMMAND` is resumed by trellis with its command, as its jobs recorded it.
  const commandJob = commandOfSweep(sweepDir, record);
  if (commandJob === null) {
    throw new TrellisError('SWEEP_INVALID', `The sweep in ${dir} ran a command, and none of its jobs recorded which`, {
      hint: `run it again with its command: trellis run -m --resume ${dir} … -- COMMAND`,
    });
  }
  const argv = commandJob
    ? [trellisBin(), 'run', '--resume', sweepDir, ...configArgs, ...commandJobFlags(commandJob.command, commandJob.name)]
    : [resolve(cwd, record.entry), '--resume', sweepDir, ...configArgs];
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
