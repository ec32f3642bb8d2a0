import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TrellisError } from '../../errors/index.js';
import { formatPythonFloat } from '../../util/python.js';
import { readYamlRecord } from '../../store/read-yaml.js';
import { RUN_STATUS_NUMBER, type MlflowRun } from './run-data.js';
import { yamlPackage } from '../../yaml/package.js';

/**
 * MLflow's file store (mlflow/store/tracking/file_store.py), written directly: the layout that
 * `mlflow ui --backend-store-uri mlruns` reads.
 *
 *   mlruns/.trash/                       FileStore creates it beside the experiments
 *   mlruns/<experiment id>/meta.yaml     artifact_location, creation_time, experiment_id, last_update_time, lifecycle_stage, name
 *   mlruns/<exp>/<run id>/meta.yaml      the persisted RunInfo (_make_persisted_run_info_dict): status as RunStatus's number
 *   mlruns/<exp>/<run id>/params/<key>   the value, no newline
 *   mlruns/<exp>/<run id>/tags/<key>     the value, no newline
 *   mlruns/<exp>/<run id>/metrics/<key>  one line per point: "<timestamp ms> <value> <step>"
 *   mlruns/<exp>/<run id>/artifacts/     files
 *
 * Names with `/` are sub-directories, as FileStore writes them. Every file is rewritten whole, so
 * exporting a run again replaces what an earlier export wrote (metric files included) instead of
 * adding to it.
 */
export const DEFAULT_EXPERIMENT = { id: '0', name: 'Default' } as const;
const TRASH = '.trash';
/** Folders of the store root that are no experiment (FileStore._get_active_experiments). */
const NOT_EXPERIMENTS = new Set([TRASH, 'models']);

/** PyYAML's safe_dump as MLflow calls it: block style, keys sorted. */
function metaYaml(data: Record<string, unknown>): string {
  return yamlPackage().stringify(data, { sortMapEntries: true, lineWidth: 0 });
}

let tempCounter = 0;

/**
 * Temp file + rename, as writeFileAtomic, but under a short temp name: MLflow's names run to 250
 * characters, and a temp name built from them would pass the file system's 255-byte limit.
 */
function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.trellis-${process.pid}-${++tempCounter}.tmp`);
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new TrellisError('RUN_IO', `Cannot write ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
  }
}

export class MlflowFileStore {
  readonly root: string;

  /** Opens (and, like FileStore.__init__, creates) the store: a new one gets the Default experiment. */
  constructor(root: string, now: number) {
    this.root = resolve(root);
    if (existsSync(this.root) && !statSync(this.root).isDirectory()) {
      throw new TrellisError('RUN_IO', `${root} is not a directory`, { hint: 'give --to a directory for MLflow’s file store (default mlruns)' });
    }
    if (!existsSync(this.root)) this.createExperiment(DEFAULT_EXPERIMENT.id, DEFAULT_EXPERIMENT.name, now);
    mkdirSync(join(this.root, TRASH), { recursive: true });
  }

  /** Experiment id → name, of the active experiments. */
  experiments(): Map<string, string> {
    const found = new Map<string, string>();
    for (const e of readdirSync(this.root, { withFileTypes: true })) {
      if (!e.isDirectory() || NOT_EXPERIMENTS.has(e.name)) continue;
      try {
        const meta = readYamlRecord(readFileSync(join(this.root, e.name, 'meta.yaml'), 'utf8'), join(this.root, e.name, 'meta.yaml')) as Record<
          string,
          unknown
        >;
        if (typeof meta.name === 'string') found.set(String(meta.experiment_id ?? e.name), meta.name);
      } catch {
        // Not an experiment (FileStore skips malformed ones too).
      }
    }
    return found;
  }

  /**
   * The id of the experiment named `name`, created when there is none. A new experiment's id is
   * derived from its name (MLflow draws a random integer), so two exports agree on it.
   */
  experimentId(name: string, now: number): string {
    for (const [id, n] of this.experiments()) if (n === name) return id;
    let id = String(parseInt(createHash('sha256').update(`trellis-experiment:${name}`).digest('hex').slice(0, 12), 16));
    while (existsSync(join(this.root, id))) id = String(Number(id) + 1);
    this.createExperiment(id, name, now);
    return id;
  }

  private createExperiment(id: string, name: string, now: number): void {
    const dir = join(this.root, id);
    mkdirSync(dir, { recursive: true });
    write(
      join(dir, 'meta.yaml'),
      metaYaml({
        artifact_location: pathToFileURL(dir).href,
        creation_time: now,
        experiment_id: id,
        last_update_time: now,
        lifecycle_stage: 'active',
        name,
      }),
    );
  }

  runDir(experimentId: string, runId: string): string {
    return join(this.root, experimentId, runId);
  }

  /** Writes (or rewrites) one run: meta.yaml, params, tags, metrics; returns its directory. */
  writeRun(experimentId: string, run: MlflowRun, user: string): string {
    const dir = this.runDir(experimentId, run.runId);
    mkdirSync(join(dir, 'artifacts'), { recursive: true });
    write(
      join(dir, 'meta.yaml'),
      metaYaml({
        artifact_uri: pathToFileURL(join(dir, 'artifacts')).href,
        end_time: run.endTime,
        entry_point_name: '',
        experiment_id: experimentId,
        lifecycle_stage: 'active',
        run_id: run.runId,
        run_name: run.name,
        run_uuid: run.runId,
        source_name: '',
        source_type: 4, // SourceType.LOCAL
        source_version: '',
        start_time: run.startTime,
        status: RUN_STATUS_NUMBER[run.status],
        tags: [],
        user_id: user,
      }),
    );
    mkdirSync(join(dir, 'params'), { recursive: true });
    mkdirSync(join(dir, 'metrics'), { recursive: true });
    for (const p of run.params) write(join(dir, 'params', p.key), p.value);
    for (const t of run.tags) write(join(dir, 'tags', t.key), t.value);
    const lines = new Map<string, string[]>();
    for (const m of run.metrics) {
      let l = lines.get(m.key);
      if (!l) lines.set(m.key, (l = []));
      // _log_run_metric: f"{timestamp} {value} {step}\n", the value as Python prints a float.
      l.push(`${m.timestamp} ${formatPythonFloat(m.value)} ${m.step}\n`);
    }
    for (const [key, l] of lines) write(join(dir, 'metrics', key), l.join(''));
    return dir;
  }

  /** Copies files into the run's artifacts folder (under `under`, a relative folder name). */
  copyArtifacts(runDir: string, files: ReadonlyArray<{ name: string } & ({ from: string } | { text: string })>): void {
    for (const f of files) {
      const to = join(runDir, 'artifacts', f.name);
      mkdirSync(dirname(to), { recursive: true });
      if ('text' in f) writeFileSync(to, f.text);
      else copyFileSync(f.from, to);
    }
  }
}
