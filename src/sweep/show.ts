import type { JobRow, SweepRecord } from '../records/sweep-record.js';
import type { PbtLineage } from './lineage.js';

/** One trial as `trellis sweep show --format json` prints it. */
interface TrialView {
  num: number;
  status: string;
  state: string | null;
  value: number | null;
  params: Record<string, string | number> | null;
  overrides: string[];
  dir: string | null;
  /** PBT: member, generation, steps, and whose checkpoint and config it started from. */
  pbt?: PbtLineage;
}

export interface SweepView {
  strategy: string;
  objective: { name: string | null; mode: string };
  seed: number | null;
  trials: TrialView[];
  best: TrialView | null;
}

/** The trials of a sweep record and its best trial (lowest or highest value by the sweep's mode; ties to the earlier trial). */
export function sweepView(record: SweepRecord): SweepView {
  const trials = record.jobs.map((j: JobRow): TrialView => ({
    num: j.num,
    status: j.status,
    state: j.state ?? null,
    value: j.objective,
    params: j.params ?? null,
    overrides: j.overrides,
    dir: j.dir,
    ...(j.pbt ? { pbt: j.pbt } : {}),
  }));
  const sign = record.objective.mode === 'max' ? -1 : 1;
  let best: TrialView | null = null;
  for (const t of trials) if (t.status === 'completed' && t.value !== null && (best === null || sign * t.value < sign * best.value!)) best = t;
  return { strategy: record.strategy, objective: record.objective, seed: record.seed, trials, best };
}

const short = (v: number) => String(Number(v.toPrecision(6)));

/** A PBT segment's origin in a few words: a first draw, its own last segment, or a copy of another member's. */
function origin(p: PbtLineage): string {
  if (p.by === 'init') return 'init';
  if (p.by === 'exploit' && p.exploit) return `copied m${p.exploit.donor} #${p.exploit.donor_num}`;
  return p.restore === null ? `#${p.parent} (no checkpoint)` : `#${p.restore}`;
}

/** The lineage columns of a PBT sweep: member, generation, steps, origin. */
function lineageCells(t: TrialView): string[] {
  const p = t.pbt;
  return p ? [`m${p.member}`, String(p.generation), `${p.start}-${p.end}`, origin(p)] : ['', '', '', ''];
}

/**
 * The trials table in job order, one column per parameter when the sweeper recorded them (the
 * overrides otherwise), then the best trial.
 */
export function renderSweepView(view: SweepView): string {
  const keys = [...new Set(view.trials.flatMap((t) => Object.keys(t.params ?? {})))];
  const name = view.objective.name ?? 'objective';
  const pbt = view.trials.some((t) => t.pbt);
  const header = ['#', 'status', name, ...(pbt ? ['member', 'gen', 'steps', 'from'] : []), ...(keys.length ? keys : ['overrides']), 'dir'];
  const body = view.trials.map((t) => [
    String(t.num),
    t.state ?? t.status,
    t.value === null ? '-' : short(t.value),
    ...(pbt ? lineageCells(t) : []),
    ...(keys.length
      ? keys.map((k) => (t.params?.[k] === undefined ? '' : typeof t.params[k] === 'number' ? short(t.params[k]) : String(t.params[k])))
      : [t.overrides.join(' ')]),
    t.dir ?? '-',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), ''];
  const b = view.best;
  lines.push(
    b
      ? `best: #${b.num} ${name}=${short(b.value!)} (${view.objective.mode}) ${b.overrides.join(' ')}${b.dir ? `  [${b.dir}]` : ''}`
      : `best: none yet (no completed trial with ${name === 'objective' ? 'an objective' : `a value of ${name}`})`,
  );
  return `${lines.join('\n')}\n`;
}
