import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { TrellisError } from '../../errors/index.js';

/**
 * A Hydra run folder as Hydra's run_job (hydra/core/utils.py) leaves it:
 *
 *   <output dir>/.hydra/config.yaml     the job's config (hydra node removed, interpolations kept)
 *   <output dir>/.hydra/hydra.yaml      {hydra: …}: job name and config name, runtime cwd, config sources, choices, overrides
 *   <output dir>/.hydra/overrides.yaml  the task overrides, a list of strings
 *   <output dir>/<job name>.log         the job's log (hydra/job_logging: ${hydra.runtime.output_dir}/${hydra.job.name}.log)
 *
 * and a sweep folder as the sweepers leave it: `<sweep dir>/multirun.yaml` (the whole config)
 * beside one run folder per job (`hydra.sweep.subdir`, by default the job number).
 */
export const HYDRA_DIR = '.hydra';
export const HYDRA_FILES = { config: 'config.yaml', hydra: 'hydra.yaml', overrides: 'overrides.yaml', multirun: 'multirun.yaml' } as const;

/** Raised when what is read from a Hydra folder changes, so the next import redoes every run. */
const READER_VERSION = 1;

export interface HydraRun {
  dir: string;
  configText: string;
  overridesText: string | null;
  overrides: string[];
  /** hydra.yaml's `hydra` node (plain values); empty when the file is missing. */
  hydra: Record<string, unknown>;
  jobName: string;
  configName: string;
  /** The primary config directory (hydra.runtime.config_sources, provider main, a file path). */
  configDir: string | null;
  /** hydra.runtime.cwd: where the app ran. */
  cwd: string | null;
  choices: Record<string, string | null>;
  /** hydra.job.num in a multirun; null for a single run. */
  jobNum: number | null;
  /** The sweep folder (the one with multirun.yaml) of a job of a sweep. */
  sweepDir: string | null;
  logFile: string | null;
  /** When Hydra wrote .hydra/ (the job's start) and last wrote the log (its end), ms since the epoch. */
  start: number;
  end: number;
  /** The log says the job raised (Hydra logs "Error executing job"). */
  failed: boolean;
  version: string | null;
  /** Identity and mtimes of the files read: an import is redone only when it changes. */
  stamp: string;
}

export function isHydraRun(dir: string): boolean {
  return existsSync(join(dir, HYDRA_DIR, HYDRA_FILES.config));
}

const record = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' && v !== '???' ? v : null);

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The main config source as a path: `file://…` sources only (pkg:// sources are Python packages). */
function primaryConfigDir(runtime: Record<string, unknown>): string | null {
  const sources = Array.isArray(runtime.config_sources) ? runtime.config_sources.map(record) : [];
  const main = sources.find((s) => s.provider === 'main') ?? sources.find((s) => s.schema === 'file' && s.provider !== 'hydra');
  const path = text(main?.path);
  if (!main || main.schema !== 'file' || !path) return null;
  return path.startsWith('file://') ? fileURLToPath(path) : path;
}

// Hydra's default log format: "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s", local time.
const LOG_TIME = /^\[(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})\]/gm;

/** The first and last times in the job log: when the job started and last logged. */
function logTimes(log: string): { first: number; last: number } | undefined {
  let first: number | undefined;
  let last: number | undefined;
  for (const m of log.matchAll(LOG_TIME)) {
    const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
    const t = new Date(y, mo - 1, d, h, mi, s, ms).getTime();
    first ??= t;
    last = t;
  }
  return first === undefined || last === undefined ? undefined : { first, last };
}

/**
 * hydra.yaml keeps hydra.sweep.dir as configured (`multirun/${now:…}`, unresolved), so the sweep
 * folder is found on disk: the nearest parent with multirun.yaml, else the job folder's parent.
 */
function sweepFolder(dir: string): string {
  for (let d = dirname(dir), i = 0; i < 4 && d !== dirname(d); d = dirname(d), i++) if (existsSync(join(d, HYDRA_FILES.multirun))) return d;
  return dirname(dir);
}

/** Reads one Hydra run folder; throws RUN_RECORD_INVALID when it is none. */
export function readHydraRun(dir: string): HydraRun {
  const hydraDir = join(dir, HYDRA_DIR);
  const configPath = join(hydraDir, HYDRA_FILES.config);
  const configText = readText(configPath);
  if (configText === null) {
    throw new TrellisError('RUN_RECORD_INVALID', `${dir} is not a Hydra run folder: it has no ${HYDRA_DIR}/${HYDRA_FILES.config}`, {
      hint: 'give a folder Hydra wrote (outputs/DATE/TIME, or a multirun sweep folder), or a folder holding them',
    });
  }
  const hydraText = readText(join(hydraDir, HYDRA_FILES.hydra));
  const overridesText = readText(join(hydraDir, HYDRA_FILES.overrides));
  let hydra: Record<string, unknown> = {};
  let overrides: string[] = [];
  try {
    hydra = record(record(hydraText === null ? null : parse(hydraText)).hydra);
    const o: unknown = overridesText === null ? [] : parse(overridesText);
    overrides = Array.isArray(o) ? o.map(String) : [];
  } catch (e) {
    throw new TrellisError('RUN_RECORD_INVALID', `${dir}: ${HYDRA_DIR}/ holds YAML that does not parse`, { cause: e, hint: 'is the folder complete?' });
  }
  const job = record(hydra.job);
  const runtime = record(hydra.runtime);
  const jobName = text(job.name) ?? basename(dir);
  const logPath = join(dir, `${jobName.replace(/^.*[\\/]/, '')}.log`);
  const log = readText(logPath);
  const configStat = statSync(configPath);
  const logStat = log === null ? undefined : statSync(logPath);
  const times = log === null ? undefined : logTimes(log);
  const choices: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(record(runtime.choices))) if (!k.startsWith('hydra/')) choices[k] = v === null ? null : String(v);
  const num = job.num;
  const multirun = hydra.mode === 'MULTIRUN' || (typeof num === 'number' && Number.isSafeInteger(num));
  return {
    dir,
    configText,
    overridesText,
    overrides,
    hydra,
    jobName,
    configName: text(job.config_name) ?? 'config',
    configDir: primaryConfigDir(runtime),
    cwd: text(runtime.cwd),
    choices,
    jobNum: multirun && typeof num === 'number' ? num : null,
    sweepDir: multirun ? sweepFolder(dir) : null,
    logFile: log === null ? null : logPath,
    start: times?.first ?? configStat.mtimeMs,
    end: times?.last ?? Math.max(configStat.mtimeMs, logStat?.mtimeMs ?? 0),
    failed: log !== null && log.includes('Error executing job'),
    version: text(runtime.version),
    stamp: [READER_VERSION, configStat.ino, configStat.mtimeMs, logStat?.mtimeMs ?? 0, hydraText?.length ?? 0, overridesText?.length ?? 0].join(':'),
  };
}
