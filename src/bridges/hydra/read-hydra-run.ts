import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrellisError } from '../../errors/index.js';
import { readYamlRecord } from '../../store/read-yaml.js';
import { yamlPackage } from '../../yaml/package.js';

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

/** The first time in the log's head and the last in its tail: when the job started and last logged. */
function logTimes(head: string, tail: string): { first: number; last: number } | undefined {
  const times = (text: string) =>
    [...text.matchAll(LOG_TIME)].map((m) => {
      const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
      return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
    });
  const first = times(head)[0];
  const last = times(tail).at(-1) ?? first;
  return first === undefined || last === undefined ? undefined : { first, last };
}

const LOG_END_BYTES = 64 * 1024;

/** The first and last 64 KiB of a job log: a long log is not read whole. */
function readLogEnds(path: string): { head: string; tail: string; stat: Stats } | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const stat = fstatSync(fd);
    const read = (position: number, length: number) => {
      const buf = Buffer.alloc(length);
      const n = readSync(fd, buf, 0, length, position);
      return buf.toString('utf8', 0, n);
    };
    const head = read(0, Math.min(stat.size, LOG_END_BYTES));
    const tail = stat.size <= LOG_END_BYTES ? head : read(stat.size - LOG_END_BYTES, LOG_END_BYTES);
    return { head, tail, stat };
  } finally {
    closeSync(fd);
  }
}

/** The parts of hydra.yaml's `hydra` node an import reads (the rest, such as help templates, is large). */
const WANTED_SECTIONS = new Set(['mode', 'job', 'runtime', 'sweep']);

/**
 * hydra.yaml's `hydra` node, parsed only in the sections an import uses. OmegaConf.save writes
 * block style with two-space indents, so each child of `hydra:` starts a line with exactly two
 * spaces (block scalars, such as the help templates, are indented deeper). Parsing a tenth of the
 * file keeps importing ten thousand runs within seconds. Any other shape is parsed whole.
 */
export function parseHydraNode(text: string): Record<string, unknown> {
  if (!text.startsWith('hydra:\n')) return record(record(yamlPackage().parse(text)).hydra);
  const lines = text.split('\n');
  const kept: string[] = ['hydra:'];
  let keep = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const section = /^ {2}([A-Za-z_][\w-]*):/.exec(line);
    if (section) keep = WANTED_SECTIONS.has(section[1]!);
    else if (line !== '' && !line.startsWith('   ')) {
      // Something at the top level or a list item at indent 2: not the shape assumed above.
      if (!line.startsWith('  - ')) return record(record(yamlPackage().parse(text)).hydra);
    }
    if (keep) kept.push(line);
  }
  // The lines that differ from job to job of a sweep are read apart, so the parse of the rest is shared.
  const perJob: Record<string, string> = {};
  const shared = kept.filter((line) => {
    const m = PER_JOB_LINE.exec(line);
    if (m) perJob[m[1]!] = m[2]!;
    return !m;
  });
  const key = shared.join('\n');
  let parsed = parsedSections.get(key);
  if (!parsed) {
    if (parsedSections.size >= 256) parsedSections.clear();
    parsed = JSON.stringify(record(record(yamlPackage().parse(key)).hydra));
    parsedSections.set(key, parsed);
  }
  const hydra = JSON.parse(parsed) as Record<string, unknown>;
  const job = record(hydra.job);
  const runtime = record(hydra.runtime);
  for (const [k, v] of Object.entries(perJob)) {
    // One scalar each: the records' line reader (as OmegaConf types it) is many times faster than a parse.
    // (An empty text is an empty document, an empty mapping to OmegaConf; as a value it is null.)
    const value = v.trim() === '' ? null : readYamlRecord(v, HYDRA_FILES.hydra);
    if (k === 'output_dir') runtime.output_dir = value;
    else job[k] = value;
  }
  return { ...hydra, job, runtime };
}

/** job.id, job.num, job.override_dirname and runtime.output_dir: one plain scalar line each. */
const PER_JOB_LINE = /^ {4}(id|num|override_dirname|output_dir): (.*)$/;
/** hydra.yaml sections without their per-job lines → the parsed node (as JSON, copied per use). */
const parsedSections = new Map<string, string>();

/**
 * Identity and mtimes of a run's Hydra files, from stats alone: an import that finds the stamp it
 * recorded last time skips the run without reading it.
 */
export function hydraStamp(dir: string, logPath: string | null): string | null {
  const config = statSync(join(dir, HYDRA_DIR, HYDRA_FILES.config), { throwIfNoEntry: false });
  if (!config) return null;
  const mtime = (p: string | null) => (p === null ? 0 : (statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0));
  return [
    READER_VERSION,
    config.ino,
    config.mtimeMs,
    mtime(join(dir, HYDRA_DIR, HYDRA_FILES.hydra)),
    mtime(join(dir, HYDRA_DIR, HYDRA_FILES.overrides)),
    mtime(logPath),
  ].join(':');
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
    hydra = hydraText === null ? {} : parseHydraNode(hydraText);
    const o = overridesText === null ? [] : readYamlRecord(overridesText, HYDRA_FILES.overrides);
    overrides = Array.isArray(o) ? o.map(String) : [];
  } catch (e) {
    throw new TrellisError('RUN_RECORD_INVALID', `${dir}: ${HYDRA_DIR}/ holds YAML that does not parse`, { cause: e, hint: 'is the folder complete?' });
  }
  const job = record(hydra.job);
  const runtime = record(hydra.runtime);
  const jobName = text(job.name) ?? basename(dir);
  const logPath = join(dir, `${jobName.replace(/^.*[\\/]/, '')}.log`);
  const log = readLogEnds(logPath);
  const configStat = statSync(configPath);
  const logStat = log === null ? undefined : log.stat;
  const times = log === null ? undefined : logTimes(log.head, log.tail);
  const choices: Record<string, string | null> = Object.create(null) as Record<string, string | null>;
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
    failed: log !== null && log.tail.includes('Error executing job'),
    version: text(runtime.version),
    stamp: hydraStamp(dir, log === null ? null : logPath) ?? '',
  };
}
