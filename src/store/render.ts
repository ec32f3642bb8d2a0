import { DIFF_CATEGORIES, type RunDiff } from './diff-runs.js';
import { originLabel, type ExplainStep, type KeyExplanation } from './explain-key.js';
import type { DriftReport, Verification } from './rerun.js';
import type { RunRow } from './query-runs.js';

/** Colour functions (identity when colours are off). */
export interface Paint {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  cyan(s: string): string;
}

const id = (s: string) => s;
export const NO_PAINT: Paint = { red: id, green: id, yellow: id, dim: id, bold: id, cyan: id };

/** A value as one line of text; numbers to 6 significant digits, or `exact` as JSON writes them (for CSV). */
export function cell(value: unknown, exact = false): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'number') return exact || Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => cell(v, exact)).join(' ');
  return JSON.stringify(value);
}

function localTime(iso: string | null): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function durationText(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

export interface Column {
  title: string;
  /** The header in CSV, where the value is the exact one (`duration_s` in seconds, not `1m05s`). */
  csvTitle?: string;
  /** `exact`: numbers in full, for machines (CSV); else rounded for reading. */
  get: (row: RunRow, exact: boolean) => string;
}

/** The default listing columns, then one per field the query or sort named. */
export function defaultColumns(rows: readonly RunRow[], extra: readonly string[]): Column[] {
  const cols: Column[] = [
    { title: 'id', get: (r) => r.id ?? '-' },
    { title: 'status', get: (r) => r.status },
    // CSV is for machines: the recorded instant (UTC, ISO 8601) and seconds, as JSON has them.
    { title: 'started', get: (r, exact) => (exact ? (r.started ?? '-') : localTime(r.started)) },
    { title: 'duration', csvTitle: 'duration_s', get: (r, exact) => (exact ? cell(r.duration_s, true) : durationText(r.duration_s)) },
    ...extra.map((name) => ({ title: name, get: (r: RunRow, exact: boolean) => cell(r.fields[name], exact) })),
    { title: 'overrides', get: (r) => r.overrides.join(' ') || '-' },
    { title: 'dir', get: (r) => r.dir },
  ];
  if (rows.some((r) => r.tags.length)) cols.splice(4, 0, { title: 'tags', get: (r) => r.tags.join(',') || '-' });
  if (rows.some((r) => r.reason)) cols.push({ title: 'reason', get: (r) => r.reason ?? '' });
  return cols;
}

export function fieldColumns(names: readonly string[]): Column[] {
  return names.map((name) => ({ title: name, get: (r: RunRow, exact: boolean) => (name === 'dir' ? r.dir : cell(r.fields[name], exact)) }));
}

const STATUS_PAINT: Record<string, keyof Paint> = {
  completed: 'green',
  failed: 'red',
  crashed: 'red',
  unreadable: 'red',
  partial: 'yellow',
  interrupted: 'yellow',
  pruned: 'yellow',
  running: 'cyan',
};

const cut = (text: string, width: number) => (text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`);

/**
 * Column widths that fit `maxWidth` (two spaces between columns): the widest columns give way
 * first, down to a few characters each.
 */
function fitWidths(widths: number[], maxWidth: number | undefined): number[] {
  if (maxWidth === undefined) return widths;
  const out = [...widths];
  const total = () => out.reduce((a, b) => a + b, 0) + 2 * (out.length - 1);
  const MIN = 3;
  while (total() > maxWidth) {
    const widest = out.reduce((best, w, i) => (w > out[best]! ? i : best), 0);
    if (out[widest]! <= MIN) break;
    out[widest] = Math.max(MIN, out[widest]! - (total() - maxWidth));
  }
  return out;
}

/**
 * An aligned table; the last column is not padded. Colours only the status column. With
 * `maxWidth` (a terminal's), long cells are cut with … so no row wraps.
 */
export function renderTable(rows: readonly RunRow[], columns: readonly Column[], paint: Paint = NO_PAINT, maxWidth?: number): string {
  const full = rows.map((r) => columns.map((c) => c.get(r, false)));
  const natural = columns.map((c, i) => Math.max(c.title.length, ...full.map((row) => row[i]!.length)));
  const widths = fitWidths(natural, maxWidth);
  const cells = full.map((row) => row.map((v, i) => cut(v, widths[i]!)));
  columns = columns.map((c, i) => ({ ...c, title: cut(c.title, widths[i]!) }));
  const line = (values: string[], colour?: (v: string, i: number) => string) =>
    values
      .map((v, i) => {
        const padded = i === values.length - 1 ? v : v.padEnd(widths[i]!);
        return colour ? colour(padded, i) : padded;
      })
      .join('  ')
      .trimEnd();
  const statusAt = columns.findIndex((c) => c.title === 'status');
  const out = [paint.bold(line(columns.map((c) => c.title))), line(widths.map((w) => '-'.repeat(w)))];
  for (const row of cells) {
    out.push(line(row, (v, i) => (i === statusAt ? paint[STATUS_PAINT[row[i]!] ?? 'dim'](v) : v)));
  }
  return `${out.join('\n')}\n`;
}

function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180 CSV with a header row. */
export function renderCsv(rows: readonly RunRow[], columns: readonly Column[]): string {
  const lines = [columns.map((c) => csvField(c.csvTitle ?? c.title)).join(','), ...rows.map((r) => columns.map((c) => csvField(c.get(r, true))).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** Plain values for `--format json`: the row with its requested fields spread in. */
export function rowJson(row: RunRow): Record<string, unknown> {
  const { fields, ...rest } = row;
  return { ...rest, ...(Object.keys(fields).length ? { fields: { ...fields } } : {}) };
}

// --- diff ---

export function renderDiff(diff: RunDiff, paths: { a: string; b: string }, paint: Paint = NO_PAINT): string {
  const out: string[] = [];
  out.push(`${paint.bold('A')}  ${paths.a}  ${diff.a.id ?? '-'}  ${diff.a.status ?? '-'}`);
  out.push(`${paint.bold('B')}  ${paths.b}  ${diff.b.id ?? '-'}  ${diff.b.status ?? '-'}`);
  const sameCats: string[] = [];
  for (const cat of DIFF_CATEGORIES) {
    const entries = diff.categories[cat];
    if (!entries.length) {
      sameCats.push(cat);
      continue;
    }
    out.push('', paint.bold(cat));
    const width = Math.min(40, Math.max(...entries.map((e) => e.key.length)));
    for (const e of entries) {
      const side = (present: boolean, v: unknown, from?: string) => (present ? cell(v) : paint.dim('(absent)')) + (from ? paint.dim(` (${from})`) : '');
      out.push(`  ${e.key.padEnd(width)}  ${paint.red(side('a' in e, e.a, e.aFrom))} ${paint.dim('→')} ${paint.green(side('b' in e, e.b, e.bFrom))}`);
    }
  }
  out.push('');
  if (sameCats.length) out.push(paint.dim(`same: ${sameCats.join(', ')}`));
  if (diff.outcomesDiffer && !diff.inputsDiffer) {
    out.push(
      paint.yellow(
        'The outcomes differ but no recorded input does: the cause is something trellis does not record (unseeded randomness, hardware, unrecorded inputs).',
      ),
    );
  }
  for (const [side, problems] of [
    ['A', diff.problems.a],
    ['B', diff.problems.b],
  ] as const) {
    if (problems.length) out.push(paint.yellow(`${side}: ${problems.join('; ')}`));
  }
  return `${out.join('\n')}\n`;
}

// --- explain ---

function stepLines(step: ExplainStep, indent: string, out: string[], paint: Paint): void {
  const interp = typeof step.composed === 'string' && step.composed.includes('${');
  const value = interp ? `${cell(step.composed)} ${paint.dim('→')} ${cell(step.value)}` : cell(step.value);
  out.push(`${indent}${paint.bold(step.key)} = ${value}`);
  out.push(`${indent}  set at ${paint.cyan(originLabel(step.origin))}`);
  if (step.group) {
    const what = step.group.group === null ? `config ${step.group.config}` : `${step.group.group}=${step.group.option} (${step.group.config})`;
    out.push(`${indent}  from ${what}, chosen by ${step.group.chosenBy}`);
  }
  for (const ref of step.references) {
    if (ref.kind === 'node') {
      out.push(`${indent}  ${ref.text} refers to:`);
      stepLines(ref.step, `${indent}    `, out, paint);
    } else if (ref.kind === 'resolver') {
      out.push(`${indent}  ${ref.text} calls the resolver ${ref.resolver}`);
      for (const s of ref.references) stepLines(s, `${indent}    `, out, paint);
    } else out.push(`${indent}  ${ref.text}: ${ref.kind === 'cycle' ? 'refers back to' : 'refers to a missing key'} ${ref.key}`);
  }
}

export function renderExplanation(e: KeyExplanation, dir: string, paint: Paint = NO_PAINT): string {
  const out: string[] = [paint.dim(`run ${e.run.id ?? '-'}  ${dir}`)];
  stepLines(e, '', out, paint);
  return `${out.join('\n')}\n`;
}

// --- rerun ---

export function renderDrift(report: DriftReport, paint: Paint = NO_PAINT): string {
  const out: string[] = [];
  if (report.composeError) out.push(paint.yellow(`drift: the recorded overrides no longer compose: ${report.composeError}`));
  if (!report.drifts.length && !report.composeError)
    return `${paint.dim('no drift: config files, the environment variables it read, git, packages and inputs are as the run recorded them')}\n`;
  const labels: Record<string, string> = {
    config: 'config files changed since the run',
    env: 'environment variables the config read changed',
    git: 'git changed since the run',
    packages: 'installed packages changed',
    inputs: 'tracked inputs changed',
    runtime: 'runtime changed',
  };
  for (const cat of ['config', 'env', 'git', 'packages', 'runtime', 'inputs'] as const) {
    const items = report.drifts.filter((d) => d.category === cat);
    if (!items.length) continue;
    out.push(paint.yellow(`drift: ${labels[cat]}`));
    for (const d of items) out.push(`  ${d.key}: ${cell(d.was)} ${paint.dim('→')} ${cell(d.now)}`);
  }
  return `${out.join('\n')}\n`;
}

export function renderVerification(v: Verification, paint: Paint = NO_PAINT): string {
  const head =
    v.verdict === 'equal'
      ? paint.green('verify: equal: every metric and the return value match exactly')
      : v.verdict === 'within-tolerance'
        ? paint.yellow(`verify: within tolerance (relative ${v.tolerance})`)
        : paint.red(`verify: different (relative tolerance ${v.tolerance})`);
  const lines = [head];
  for (const d of v.differences)
    lines.push(`  ${d.key}: ${cell(d.a)} → ${cell(d.b)}${d.relative !== undefined ? paint.dim(` (relative ${d.relative.toExponential(2)})`) : ''}`);
  return `${lines.join('\n')}\n`;
}
