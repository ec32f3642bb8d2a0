import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { shellQuote } from '../../util/shell-quote.js';
import { didYouMean, TrellisError } from '../../errors/index.js';
import { diffRuns } from '../../store/diff-runs.js';
import { findRun, readRecords } from '../../store/find-run.js';
import { noteRun, tagRun, type AnnotateResult } from '../../store/annotate-run.js';
import { displayPath, openStore } from '../../store/open-store.js';
import { fieldRef, type FieldRef } from '../../store/query-fields.js';
import type { StoredRun } from '../../store/stored-run.js';
import { checkKnownFields, queryFields, sortFields } from '../../store/query-known.js';
import { parseQuery } from '../../store/query-parse.js';
import { extraFields, parseColumns, queryRuns, runRow, type RunRow } from '../../store/query-runs.js';
import {
  cell,
  defaultColumns,
  durationText,
  fieldColumns,
  NO_PAINT,
  renderCsv,
  renderDiff,
  renderTable,
  rowJson,
  type Column,
  type Paint,
} from '../../store/render.js';
import type { ParsedArgv } from '../../console/argv.js';
import { colors } from '../../console/colors.js';
import type { CliIo } from '../io.js';

const SUBCOMMANDS = ['list', 'best', 'show', 'tag', 'note', 'diff'] as const;

function usage(message: string, hint?: string): TrellisError {
  return new TrellisError('USAGE', message, { hint: hint ?? "see 'trellis runs --help'" });
}

/** Colours on stdout only on a terminal and never with NO_COLOR (io.color says so for stderr). */
function paintFor(io: CliIo): Paint {
  const on = io.color && Boolean(process.stdout.isTTY);
  return on ? colors(true) : NO_PAINT;
}

function formatOf(flags: ParsedArgv['flags'], allowed: readonly string[], fallback: string): string {
  const f = typeof flags.format === 'string' ? flags.format : fallback;
  if (!allowed.includes(f)) throw usage(`--format ${f} is not available here; use ${allowed.join(' or ')}`);
  return f;
}

function limitOf(flags: ParsedArgv['flags']): number | undefined {
  if (flags.limit === undefined || flags.limit === '') return undefined;
  const n = Number(flags.limit);
  if (!Number.isSafeInteger(n) || n < 0) throw usage(`--limit must be a whole number, got '${String(flags.limit)}'`);
  return n;
}

/** Positional arguments naming existing directories are roots; the rest is the query. */
export function rootsAndQuery(args: string[], flags: ParsedArgv['flags'], cwd: string): { roots: string[]; query: string } {
  const roots: string[] = [];
  const words: string[] = [];
  for (const a of args) {
    let isDir = false;
    try {
      isDir = !/[\s=<>~]/.test(a) && statSync(resolve(cwd, a)).isDirectory();
    } catch {
      isDir = false;
    }
    (isDir ? roots : words).push(a);
  }
  const parts = [words.join(' ').trim(), typeof flags.where === 'string' ? flags.where.trim() : ''].filter(Boolean);
  return { roots, query: parts.length > 1 ? parts.map((p) => `(${p})`).join(' and ') : (parts[0] ?? '') };
}

/** Where and how `list`, `best` and run lookups read the store. */
function storeOptions(flags: ParsedArgv['flags'], io: CliIo) {
  return { cwd: io.cwd, index: !flags['no-index'], refresh: Boolean(flags.refresh) };
}

function emitRows(io: CliIo, rows: RunRow[], columns: Column[], format: string, paint: Paint): void {
  if (format === 'json') io.stdout(`${JSON.stringify(rows.map(rowJson), null, 2)}\n`);
  else if (format === 'csv') io.stdout(renderCsv(rows, columns));
  else io.stdout(renderTable(rows, columns, paint, io.columns));
}

/** The metric most runs logged most often (summed counts), as `NAME.last`: a listing's default metric column. */
function mostLoggedMetric(runs: readonly StoredRun[]): FieldRef | undefined {
  const counts = new Map<string, number>();
  for (const run of runs)
    for (const [name, stats] of Object.entries(run.summary()?.metrics ?? {})) {
      const n =
        stats !== null && typeof stats === 'object' && typeof (stats as { count?: unknown }).count === 'number' ? (stats as { count: number }).count : 1;
      counts.set(name, (counts.get(name) ?? 0) + n);
    }
  const best = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return best ? fieldRef(`${best[0]}.last`) : undefined;
}

function list(args: string[], flags: ParsedArgv['flags'], io: CliIo): number {
  const format = formatOf(flags, ['table', 'json', 'csv'], 'table');
  const { roots, query } = rootsAndQuery(args, flags, io.cwd);
  const store = openStore(roots, storeOptions(flags, io));
  const result = queryRuns(store, query, {
    sort: typeof flags.sort === 'string' && flags.sort !== '' ? flags.sort : undefined,
    limit: limitOf(flags),
    cwd: io.cwd,
  });
  const columnsFlag = typeof flags.columns === 'string' && flags.columns !== '' ? parseColumns(flags.columns) : undefined;
  checkKnownFields(store, [...queryFields(result.query), ...sortFields(result.sort)], result.context);
  const named = extraFields(result.query, result.sort);
  // With no metric named, the table shows the one logged most, to compare runs at a glance.
  const metric = format === 'table' && !columnsFlag && !named.some((f) => f.ns !== 'run') ? mostLoggedMetric(result.runs) : undefined;
  const fields = columnsFlag ?? (metric ? [metric, ...named] : named);
  const rows = result.runs.map((r) => runRow(r, fields, result.context));
  store.flush();
  const columns = columnsFlag
    ? fieldColumns(columnsFlag.map((f) => f.text))
    : defaultColumns(
        rows,
        fields.map((f) => f.text),
      );
  emitRows(io, rows, columns, format, paintFor(io));
  if (format === 'table') {
    if (!store.roots.length) io.stderr(`no runs: ${roots.length ? roots.join(', ') : 'outputs/ and multirun/'} not found here\n`);
    else if (result.matched > result.runs.length) io.stderr(`${result.runs.length} of ${result.matched} matching runs shown (--limit)\n`);
  }
  return 0;
}

function best(args: string[], flags: ParsedArgv['flags'], io: CliIo): number {
  const format = formatOf(flags, ['table', 'json', 'csv'], 'table');
  const metric = typeof flags.metric === 'string' ? flags.metric : '';
  if (!metric) throw usage('trellis runs best needs --metric NAME', 'e.g. trellis runs best --metric val_loss --mode min');
  const mode = flags.mode === 'max' ? 'max' : 'min';
  const { roots, query } = rootsAndQuery(args, flags, io.cwd);
  // NAME alone is the best value the run reached (its min or max); NAME.STAT picks a statistic.
  const explicit = fieldRef(metric);
  if (!explicit) throw usage(`--metric ${metric} is not a metric name`);
  const key = /\.(last|min|max|count)$/.test(metric) || metric.startsWith('result.') ? metric : `${metric}.${mode}`;
  const store = openStore(roots, storeOptions(flags, io));
  // Only completed runs compete, unless the query says which statuses to consider.
  const parsed = parseQuery(query, store.now);
  const context = { now: store.now, cwd: io.cwd };
  checkKnownFields(store, [...queryFields(parsed), { field: parseQuery(`${key} = 0`).fields[0]!, option: '--metric' }], context);
  const mentionsStatus = parsed.fields.some((f) => f.ns === 'run' && f.name === 'status');
  const filter = [query ? `(${query})` : '', mentionsStatus ? '' : 'status = completed', `${key} != null`].filter(Boolean).join(' and ');
  const result = queryRuns(store, filter, { sort: `${mode === 'min' ? '' : '-'}${key}`, limit: limitOf(flags) ?? 1, cwd: io.cwd });
  const fields = [parseQuery(`${key} = 0`).fields[0]!];
  const rows = result.runs.map((r) => runRow(r, fields, result.context));
  store.flush();
  if (!rows.length) {
    io.stderr(`no ${mentionsStatus ? '' : 'completed '}run${query ? ' matching the query' : ''} recorded ${key}\n`);
    return 1;
  }
  const columns: Column[] = [
    { title: 'id', get: (r) => r.id ?? '-' },
    { title: key, get: (r, exact) => cell(r.fields[key], exact) },
    { title: 'status', get: (r) => r.status },
    { title: 'overrides', get: (r) => r.overrides.join(' ') || '-' },
    { title: 'dir', get: (r) => r.dir },
  ];
  emitRows(io, rows, columns, format, paintFor(io));
  return 0;
}

function lookup(ref: string | undefined, flags: ParsedArgv['flags'], io: CliIo, what = 'RUN') {
  if (!ref) throw usage(`missing ${what}: a run directory, a run id or a unique prefix of one`);
  return findRun(ref, { ...storeOptions(flags, io), roots: typeof flags.root === 'string' && flags.root ? [flags.root] : [] });
}

function show(args: string[], flags: ParsedArgv['flags'], io: CliIo): number {
  const format = formatOf(flags, ['text', 'json'], 'text');
  if (args.length > 1) throw usage(`trellis runs show takes one RUN, got ${args.length}`);
  const run = lookup(args[0], flags, io);
  const r = readRecords(run);
  const status = run.status();
  const dir = displayPath(run.dir, io.cwd);
  if (format === 'json') {
    const { configText: _text, ...records } = r;
    io.stdout(`${JSON.stringify({ ...records, dir, status, reason: run.reason() }, null, 2)}\n`);
    return 0;
  }
  const paint = paintFor(io);
  const info = r.info;
  const lines: Array<[string, string]> = [
    ['dir', dir],
    ['id', info.id ?? '-'],
    ['name', info.name ?? '-'],
    ['status', status + (run.reason() ? ` (${run.reason()})` : '') + (info.exit_code !== null ? `, exit code ${info.exit_code}` : '')],
    ['started', info.start ?? '-'],
    ['ended', info.end ?? '-'],
    ['duration', durationText(info.duration_s)],
    ['host', info.host ?? '-'],
    ['cwd', info.cwd ?? '-'],
    ...(info.command ? ([['command', info.command.args.map(shellQuote).join(' ')]] as Array<[string, string]>) : []),
    ['entry', info.entry ?? '-'],
    ['config', `${info.config_dir ?? '-'}/${info.config_name ?? '-'}`],
    ['overrides', (r.overrides ?? info.overrides).join(' ') || '-'],
    [
      'choices',
      r.choices
        ? Object.entries(r.choices)
            .map(([k, v]) => `${k}=${cell(v)}`)
            .join(' ')
        : '-',
    ],
    ['seed', r.seeds ? cell(r.seeds.master) : '-'],
    [
      'git',
      r.git
        ? r.git.available === true
          ? `${String(r.git.commit ?? 'no commit').slice(0, 12)}${r.git.dirty ? ' (dirty)' : ''}`
          : `not recorded (${String(r.git.reason ?? '')})`
        : '-',
    ],
  ];
  if (r.imported) lines.push(['imported', `from ${r.imported.from}${r.imported.version ? ` ${r.imported.version}` : ''}: ${r.imported.dir}`]);
  if (info.sweep) lines.push(['sweep', `${info.sweep.dir} job ${info.sweep.num}`]);
  if (info.reproduces) lines.push(['reproduces', info.reproduces]);
  if (info.pruned) lines.push(['pruned', `at step ${info.pruned.step}: ${info.pruned.reason}`]);
  if (info.tags.length) lines.push(['tags', info.tags.join(', ')]);
  for (const note of info.notes) lines.push(['note', note]);
  if (info.error?.message) lines.push(['error', `${info.error.type ?? 'Error'}: ${info.error.message}`]);
  const width = Math.max(...lines.map(([k]) => k.length));
  const out = lines.map(
    ([k, v]) =>
      `${paint.bold(k.padEnd(width))}  ${k === 'status' ? (status === 'completed' ? paint.green(v) : status === 'running' ? v : status === 'pruned' ? paint.yellow(v) : paint.red(v)) : v}`,
  );
  const metrics = Object.entries(r.summary?.metrics ?? {});
  if (metrics.length) {
    const rows = metrics.map(([name, s]) => [name, cell(s.last), cell(s.min), cell(s.max), cell(s.count)]);
    const head = ['metric', 'last', 'min', 'max', 'count'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
    out.push(
      '',
      paint.bold(
        head
          .map((h, i) => h.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      ),
    );
    for (const row of rows)
      out.push(
        row
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      );
  }
  if (r.summary?.result !== undefined && r.summary.result !== null) out.push('', `${paint.bold('result')}  ${JSON.stringify(r.summary.result)}`);
  if (r.problems.length) out.push('', paint.yellow(`records: ${r.problems.join('; ')}`));
  io.stdout(`${out.join('\n')}\n`);
  return 0;
}

/** What a tag or note leaves to warn about (see AnnotateResult). */
function warnAfterAnnotate(dir: string, result: AnnotateResult, io: CliIo): void {
  if (result.running) io.stderr('warning: the run is still running; it rewrites run.json when it ends, keeping its own tags and notes\n');
  // Indexes take a finished run's records on trust while its parent directory is unchanged.
  if (!result.indexNotified)
    io.stderr(
      `warning: cannot write to ${displayPath(resolve(dir, '..'), io.cwd)}, so a listing may show the run as it was until 'trellis runs list --refresh'\n`,
    );
}

function tag(args: string[], flags: ParsedArgv['flags'], io: CliIo): number {
  const [ref, ...tags] = args;
  const run = lookup(ref, flags, io);
  if (!tags.length) throw usage('trellis runs tag needs at least one TAG', 'e.g. trellis runs tag RUN baseline best');
  const result = tagRun(run.dir, tags, { remove: Boolean(flags.remove) });
  warnAfterAnnotate(run.dir, result, io);
  io.stdout(`${displayPath(run.dir, io.cwd)}: tags ${result.tags.length ? result.tags.join(', ') : '(none)'}\n`);
  return 0;
}

function note(args: string[], flags: ParsedArgv['flags'], io: CliIo): number {
  const [ref, ...words] = args;
  const run = lookup(ref, flags, io);
  const text = words.join(' ').trim();
  if (!text) throw usage('trellis runs note needs the TEXT of the note', 'e.g. trellis runs note RUN "lr too high, diverged at epoch 3"');
  warnAfterAnnotate(run.dir, noteRun(run.dir, text), io);
  io.stdout(`${displayPath(run.dir, io.cwd)}: note added\n`);
  return 0;
}

function diff(args: string[], flags: ParsedArgv['flags'], io: CliIo): number {
  const format = formatOf(flags, ['text', 'json'], 'text');
  if (args.length !== 2)
    throw usage(`trellis runs diff takes two runs, got ${args.length}`, 'e.g. trellis runs diff outputs/2026-11-23/10-15-02 20261123-1020');
  const a = lookup(args[0], flags, io, 'A');
  const b = lookup(args[1], flags, io, 'B');
  const d = diffRuns(a, b);
  const paths = { a: displayPath(a.dir, io.cwd), b: displayPath(b.dir, io.cwd) };
  if (format === 'json') io.stdout(`${JSON.stringify({ ...d, a: { ...d.a, dir: paths.a }, b: { ...d.b, dir: paths.b } }, null, 2)}\n`);
  else io.stdout(renderDiff(d, paths, paintFor(io)));
  return 0;
}

export async function run(args: ParsedArgv, io: CliIo): Promise<number> {
  const [sub, ...rest] = args.overrides;
  switch (sub) {
    case 'list':
    case 'ls':
      return list(rest, args.flags, io);
    case 'best':
      return best(rest, args.flags, io);
    case 'show':
      return show(rest, args.flags, io);
    case 'tag':
      return tag(rest, args.flags, io);
    case 'note':
      return note(rest, args.flags, io);
    case 'diff':
      return diff(rest, args.flags, io);
  }
  throw usage(
    sub === undefined ? 'trellis runs needs a subcommand' : `Unknown subcommand 'runs ${sub}'`,
    (sub && didYouMean(sub, SUBCOMMANDS)) || `subcommands: ${SUBCOMMANDS.join(', ')}`,
  );
}
