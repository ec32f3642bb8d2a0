import type { JobRow } from './sweep-record.js';

/** Row keys with columns of their own, or too long to show (the error is printed when it happens). */
const KNOWN = new Set(['num', 'status', 'objective', 'overrides', 'dir', 'error', 'launcher']);

const scalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

const shortNumber = (n: number) => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6))));

/**
 * Scalar fields a sweeper adds to its rows (a trial's state, a rung…), in first-seen order: the
 * table shows what sweep.json holds without knowing every sweeper.
 */
function extraJobFields(rows: readonly JobRow[]): string[] {
  const out: string[] = [];
  for (const row of rows) for (const [k, v] of Object.entries(row)) if (!KNOWN.has(k) && !out.includes(k) && (scalar(v) || v === null)) out.push(k);
  return out.filter((k) => rows.some((r) => scalar((r as unknown as Record<string, unknown>)[k])));
}

/**
 * A sweep's job table: sorted by the objective (best first, jobs without one last, by number),
 * the objective's column named after it (`objective` when the job's return value is it).
 */
export function renderSweepTable(rows: readonly JobRow[], mode: 'min' | 'max', objectiveName: string): string {
  const sorted = [...rows].sort((a, b) => {
    if (a.objective === null) return b.objective === null ? a.num - b.num : 1;
    if (b.objective === null) return -1;
    return mode === 'min' ? a.objective - b.objective : b.objective - a.objective;
  });
  const extra = extraJobFields(rows);
  const header = ['#', 'status', objectiveName, ...extra, 'overrides', 'dir'];
  const numeric = new Set([0, 2]);
  const body = sorted.map((r) => {
    const fields = r as unknown as Record<string, unknown>;
    return [
      String(r.num),
      r.status,
      r.objective === null ? '-' : shortNumber(r.objective),
      ...extra.map((k) => {
        const v = fields[k];
        return typeof v === 'number' ? shortNumber(v) : scalar(v) ? String(v) : '-';
      }),
      r.overrides.join(' '),
      r.dir ?? '-',
    ];
  });
  extra.forEach((k, i) => {
    if (rows.every((r) => typeof (r as unknown as Record<string, unknown>)[k] !== 'string')) numeric.add(3 + i);
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
