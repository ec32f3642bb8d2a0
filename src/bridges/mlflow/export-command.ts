import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { flagText, type ParsedArgv } from '../../console/argv.js';
import { displayPath, openStore } from '../../store/open-store.js';
import { queryRuns } from '../../store/query-runs.js';
import type { CliIo } from '../../cli/io.js';
import { DEFAULT_EXPERIMENT, MlflowFileStore } from './file-store.js';
import { readRunForExport, type RunExport } from './read-runs.js';
import { MlflowRestClient } from './rest-client.js';
import { sweepParentRun, toMlflowRun, type MlflowRun } from './run-data.js';

interface Exported {
  trellis_id: string | null;
  mlflow_run_id: string;
  name: string;
  status: string;
  dir: string | null;
  params: number;
  metric_points: number;
  parent: string | null;
}

/** Positional words naming existing directories are roots (as in `trellis runs list`); the rest is the query. */
function rootsAndQuery(words: readonly string[], cwd: string): { roots: string[]; query: string } {
  const roots: string[] = [];
  const rest: string[] = [];
  for (const w of words) {
    let isDir = false;
    try {
      isDir = !/[\s=<>~]/.test(w) && statSync(resolve(cwd, w)).isDirectory();
    } catch {
      isDir = false;
    }
    (isDir ? roots : rest).push(w);
  }
  return { roots, query: rest.join(' ').trim() };
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}

/** The runs to write: each run's MLflow run, then one parent run per sweep they belong to. */
function plan(exports: readonly RunExport[], now: number): { runs: Array<{ run: MlflowRun; from: RunExport | null }>; parents: MlflowRun[] } {
  const runs = exports.map((e) => ({ run: toMlflowRun(e.run, now), from: e }));
  const sweeps = new Map<string, { name: string; jobs: MlflowRun[] }>();
  for (const { run, from } of runs) {
    const sweep = from.run.sweep;
    if (!sweep) continue;
    const entry = sweeps.get(sweep.key) ?? { name: sweep.name, jobs: [] };
    entry.jobs.push(run);
    sweeps.set(sweep.key, entry);
  }
  const parents = [...sweeps].map(([key, s]) => sweepParentRun({ key, name: s.name }, s.jobs));
  return { runs, parents };
}

/**
 * `trellis export mlflow [ROOT…] [QUERY] [--to DIR | --tracking-uri URL] [--experiment NAME]`:
 * the runs a query selects, as MLflow runs (jobs of a sweep nested under one parent run per sweep).
 */
export async function runMlflowExport(parsed: ParsedArgv, io: CliIo): Promise<number> {
  const words = parsed.overrides[0] === 'mlflow' ? parsed.overrides.slice(1) : parsed.overrides;
  const { roots, query } = rootsAndQuery(words, io.cwd);
  const nowDate = new Date();
  const now = nowDate.getTime();
  const store = openStore(roots, { cwd: io.cwd, now: nowDate });
  const selected = queryRuns(store, query, { cwd: io.cwd, sort: 'started' }).runs;
  store.flush();
  const exports: RunExport[] = [];
  for (const stored of selected) if (stored.info) exports.push(await readRunForExport(stored, io.cwd, nowDate));
  const { runs, parents } = plan(exports, now);
  const experimentName = flagText(parsed.flags, 'experiment') ?? DEFAULT_EXPERIMENT.name;
  const trackingUri = flagText(parsed.flags, 'tracking-uri');
  const rows: Exported[] = [];
  const row = (run: MlflowRun, from: RunExport | null, id: string): Exported => ({
    trellis_id: from?.run.id ?? null,
    mlflow_run_id: id,
    name: run.name,
    status: run.status,
    dir: from ? displayPath(from.dir, io.cwd) : null,
    params: run.params.length,
    metric_points: run.metrics.length,
    parent: run.parentRunId,
  });

  let target: string;
  let experimentId: string;
  if (trackingUri) {
    const client = new MlflowRestClient(trackingUri);
    experimentId = await client.experimentId(experimentName);
    const ids = new Map<string, string>();
    for (const p of parents) {
      const r = await client.exportRun(experimentId, p, ids);
      ids.set(p.runId, r.runId);
      rows.push(row(p, null, r.runId));
    }
    for (const { run, from } of runs) {
      const r = await client.exportRun(experimentId, run, ids);
      rows.push({ ...row(run, from, r.runId), parent: run.parentRunId ? (ids.get(run.parentRunId) ?? null) : null });
    }
    target = trackingUri;
  } else {
    const to = flagText(parsed.flags, 'to') ?? 'mlruns';
    const fileStore = new MlflowFileStore(resolve(io.cwd, to), now);
    experimentId = fileStore.experimentId(experimentName, now);
    const user = userName();
    for (const p of parents) {
      fileStore.writeRun(experimentId, p, user);
      rows.push(row(p, null, p.runId));
    }
    for (const { run, from } of runs) {
      const dir = fileStore.writeRun(experimentId, run, user);
      if (from) fileStore.copyArtifacts(dir, from.artifacts);
      rows.push(row(run, from, run.runId));
    }
    target = displayPath(fileStore.root, io.cwd);
  }

  if (parsed.flags.format === 'json') {
    io.stdout(`${JSON.stringify({ to: target, experiment: { id: experimentId, name: experimentName }, runs: rows }, null, 2)}\n`);
  } else {
    for (const r of rows) io.stdout(`${r.mlflow_run_id}  ${r.status.padEnd(8)}  ${r.name}${r.dir ? `  (${r.dir})` : ''}\n`);
    const sweeps = parents.length ? ` and ${parents.length} sweep parent run${parents.length === 1 ? '' : 's'}` : '';
    io.stdout(`exported ${runs.length} run${runs.length === 1 ? '' : 's'}${sweeps} to ${target}, experiment '${experimentName}' (id ${experimentId})\n`);
    if (!trackingUri && runs.length) io.stdout(`view them with: mlflow ui --backend-store-uri ${target}\n`);
  }
  return 0;
}
