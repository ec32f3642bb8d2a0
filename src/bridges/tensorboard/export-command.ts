import { relative, resolve } from 'node:path';
import { TrellisError } from '../../errors/index.js';
import { flagText, type ParsedArgv } from '../../console/argv.js';
import type { CliIo } from '../../cli/io.js';
import { rootsAndQuery } from '../../cli/commands/runs.js';
import { openStore } from '../../store/open-store.js';
import { queryRuns } from '../../store/query-runs.js';
import { exportRuns, type ExportReport } from './export-runs.js';

/** `trellis export tensorboard [ROOT…] [QUERY] --to DIR [--format text|json]`; `parsed.overrides` are the words after `tensorboard`. */
export async function runTensorboardExport(parsed: ParsedArgv, io: CliIo): Promise<number> {
  const to = flagText(parsed.flags, 'to');
  if (!to)
    throw new TrellisError('USAGE', 'trellis export tensorboard needs --to DIR', {
      hint: 'e.g. trellis export tensorboard --to tb, then: tensorboard --logdir tb',
    });
  const format = flagText(parsed.flags, 'format') ?? 'text';
  const { roots, query } = rootsAndQuery(parsed.overrides, parsed.flags, io.cwd);
  const store = openStore(roots, { cwd: io.cwd });
  const { runs } = queryRuns(store, query, { sort: 'started', cwd: io.cwd });
  const report = exportRuns(runs, resolve(io.cwd, to));
  store.flush();
  if (format === 'json') io.stdout(`${JSON.stringify(reportJson(report, io.cwd), null, 2)}\n`);
  else io.stdout(reportText(report, io.cwd, store.roots.length > 0));
  return 0;
}

function reportJson(report: ExportReport, cwd: string) {
  return {
    to: relative(cwd, report.to) || '.',
    scalars: report.scalars,
    runs: report.runs.map((r) => ({ ...r, dir: relative(cwd, r.dir) || '.' })),
  };
}

/** 1,000,000: grouped by hand, since toLocaleString loads ICU's locale data (a tenth of a second). */
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/g, ',');

function reportText(report: ExportReport, cwd: string, anyRoot: boolean): string {
  const to = relative(cwd, report.to) || '.';
  const count = (action: string) => report.runs.filter((r) => r.action === action).length;
  if (report.runs.length === 0) return `no runs to export${anyRoot ? ' match the query' : ': outputs/ and multirun/ not found here'}\n`;
  const lines = [
    `exported ${report.runs.length} run${report.runs.length === 1 ? '' : 's'} to ${to}/: ${count('written')} written, ${count('unchanged')} unchanged` +
      (count('skipped') ? `, ${count('skipped')} skipped` : '') +
      `; ${thousands(report.scalars)} scalars`,
  ];
  for (const r of report.runs.filter((x) => x.action === 'skipped')) lines.push(`  skipped ${relative(cwd, r.dir)}: ${r.reason ?? 'unreadable'}`);
  lines.push(`view with: tensorboard --logdir ${to}`);
  return `${lines.join('\n')}\n`;
}
