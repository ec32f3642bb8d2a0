import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readMetrics } from '../../run/metrics.js';
import { readInlineRecords } from '../../records/inline-records.js';
import { RECORDS_DIR, RUN_FILES, recordPath } from '../../records/names.js';
import { displayPath } from '../../store/open-store.js';
import { readRecords } from '../../store/find-run.js';
import type { StoredRun } from '../../store/stored-run.js';
import type { ExportedRun } from './run-data.js';

/** Records that exist only while a command job runs and hold secrets in clear: never copied. */
const PRIVATE_RECORDS = new Set<string>([RUN_FILES.jobConfig, RUN_FILES.jobConfigYaml]);

export interface RunExport {
  run: ExportedRun;
  dir: string;
  /**
   * Files to copy into MLflow's artifacts: the records under trellis/, the job's log files. A
   * record kept inside run.json (an imported run's) comes as its text.
   */
  artifacts: Array<{ name: string } & ({ from: string } | { text: string })>;
}

function artifactsOf(dir: string): RunExport['artifacts'] {
  const files: RunExport['artifacts'] = [];
  const list = (d: string) => {
    try {
      return readdirSync(d, { withFileTypes: true });
    } catch {
      return [];
    }
  };
  for (const e of list(join(dir, RECORDS_DIR)))
    if (e.isFile() && !PRIVATE_RECORDS.has(e.name) && !e.name.endsWith('.tmp') && !e.name.startsWith('.'))
      files.push({ from: join(dir, RECORDS_DIR, e.name), name: `trellis/${e.name}` });
  const listed = new Set(files.map((f) => f.name));
  for (const [name, text] of Object.entries(readInlineRecords(dir)?.texts ?? {}))
    if (!listed.has(`trellis/${name}`) && !name.includes('/') && !name.startsWith('.')) files.push({ text, name: `trellis/${name}` });
  for (const e of list(dir)) if (e.isFile() && e.name.endsWith('.log')) files.push({ from: join(dir, e.name), name: e.name });
  return files;
}

/** What the exporter needs of a stored run, read through the store (records, metrics.jsonl). */
export async function readRunForExport(stored: StoredRun, cwd: string, now: Date): Promise<RunExport> {
  const r = readRecords(stored);
  const info = r.info;
  const metricsFile = recordPath(stored.dir, RUN_FILES.metrics);
  const rows = existsSync(metricsFile) ? (await readMetrics(metricsFile)).rows : [];
  // run.json's sweep dir is relative to the run's working directory.
  const sweepDir = info.sweep ? resolve(info.cwd ?? dirname(dirname(stored.dir)), info.sweep.dir) : null;
  const status = stored.status(now);
  const commit = r.git && typeof r.git.commit === 'string' ? r.git.commit : null;
  return {
    dir: stored.dir,
    artifacts: artifactsOf(stored.dir),
    run: {
      id: info.id ?? stored.rel,
      name: info.name ?? 'run',
      status: status === 'crashed' ? 'crashed' : (info.status ?? 'unknown'),
      start: info.start,
      end: info.end,
      config: r.resolved ?? r.config,
      overrides: r.overrides ?? info.overrides,
      tags: info.tags,
      notes: info.notes,
      gitCommit: commit,
      source: info.entry ?? (info.command ? info.command.args.join(' ') : null),
      sweep: sweepDir && info.sweep ? { key: sweepDir, name: displayPath(sweepDir, cwd), num: info.sweep.num } : null,
      rows,
    },
  };
}
