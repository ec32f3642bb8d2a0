import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { didYouMean, TrellisError } from '../../errors/index.js';
import { INLINE_RECORDS_KEY } from '../../records/inline-records.js';
import { RECORDS_DIR, RUN_FILES, recordPath } from '../../records/names.js';
import { readRunRecord, RUN_FORMAT_VERSION, type CommandRecord, type RunRecord } from '../../records/run-record.js';
import { writeFileAtomic } from '../../run/atomic-write.js';
import { HYDRA_DIR, HYDRA_FILES, hydraStamp, isHydraRun, readHydraRun, type HydraRun } from './read-hydra-run.js';
import { resolveHydraConfig } from './resolve-config.js';
import { fromPlain } from '../../tree/node.js';
import { toYamlText } from '../../tree/emit.js';

/**
 * `trellis import hydra`: Hydra's run folders become trellis runs without being moved or changed.
 * Each gets a small run directory of its own under `into` (default outputs/hydra, a folder the
 * store already reads), mirroring the Hydra folder's path: `.trellis/run.json` alone, with
 * `imported` pointing back at the Hydra folder and, inline, config.yaml (Hydra's, interpolations
 * kept), resolved.yaml, overrides.yaml, choices.yaml and an empty summary. So `runs list`, `runs diff`, `explain` and
 * `rerun` work on them unchanged, with no special case in the store. Hydra records no metrics,
 * provenance, seeds, environment or git state, so those read as not recorded.
 */
export interface ImportOptions {
  cwd: string;
  /** Where the imported runs' records go (relative to cwd). */
  into: string;
}

type ImportAction = 'imported' | 'updated' | 'unchanged';

export interface ImportedRun {
  id: string;
  /** The Hydra folder and the run directory made for it (absolute). */
  hydraDir: string;
  dir: string;
  action: ImportAction;
  sweep: boolean;
}

const MAX_DEPTH = 8;

/** Hydra folders under `dir` (itself included): runs, the jobs of sweeps; never trellis's own folders. */
function collect(dir: string, skip: string, depth: number, out: string[]): void {
  if (dir === skip || dir.startsWith(skip + sep)) return;
  if (isHydraRun(dir)) {
    out.push(dir);
    return;
  }
  if (depth >= MAX_DEPTH || existsSync(join(dir, RECORDS_DIR))) return;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)))
    if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') collect(join(dir, e.name), skip, depth + 1, out);
}

/** The Hydra run folders named by `paths`; a path that is none and holds none is an error. */
function findHydraRuns(paths: readonly string[], options: ImportOptions): string[] {
  const into = resolve(options.cwd, options.into);
  const found: string[] = [];
  for (const p of paths) {
    const abs = resolve(options.cwd, p);
    if (!statSync(abs, { throwIfNoEntry: false })?.isDirectory()) {
      let siblings: string[] = [];
      try {
        siblings = readdirSync(resolve(abs, '..'));
      } catch {
        siblings = [];
      }
      const near = didYouMean(basename(abs), siblings);
      throw new TrellisError('RUN_NOT_FOUND', `No such directory: ${p}`, { hint: near ?? 'give a Hydra run folder, a sweep folder, or outputs/ or multirun/' });
    }
    const before = found.length;
    collect(abs, into, 0, found);
    if (found.length === before) {
      const multirun = existsSync(join(abs, HYDRA_FILES.multirun));
      throw new TrellisError('RUN_RECORD_INVALID', `${p} is not a Hydra run folder and holds none: no ${HYDRA_DIR}/${HYDRA_FILES.config} in it or below`, {
        hint: multirun
          ? 'this sweep folder has multirun.yaml but no job folders yet'
          : existsSync(join(abs, RECORDS_DIR))
            ? 'it is a trellis run already: list it with trellis runs list'
            : 'Hydra writes .hydra/config.yaml into every run folder (outputs/DATE/TIME, multirun/DATE/TIME/N)',
      });
    }
  }
  return [...new Set(found)];
}

const hash = (text: string, n: number) => createHash('sha256').update(text).digest('hex').slice(0, n);

/** The run directory for a Hydra folder: its path under `into`, or for one outside cwd, a hashed name. */
function shadowDir(hydraDir: string, options: ImportOptions): string {
  const into = resolve(options.cwd, options.into);
  const rel = relative(options.cwd, hydraDir);
  const inside = rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
  return inside ? join(into, rel) : join(into, 'external', `${hash(hydraDir, 8)}-${basename(hydraDir)}`);
}

function runIdOf(run: HydraRun): string {
  const t = new Date(run.start);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}${pad(t.getMonth() + 1)}${pad(t.getDate())}-${pad(t.getHours())}${pad(t.getMinutes())}${pad(t.getSeconds())}-${hash(run.dir, 6)}`;
}

/** A path as run.json keeps it: relative to the run's cwd when inside it. */
function relativeTo(cwd: string, path: string): string {
  const abs = resolve(cwd, path);
  const rel = relative(cwd, abs);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** The run.json of an imported run: what Hydra's files tell, and how to run it again. */
function runRecord(run: HydraRun, id: string, cwd: string, previous: Partial<RunRecord> | undefined): RunRecord & { imported: Record<string, unknown> } {
  const start = new Date(run.start).toISOString();
  const end = new Date(run.end).toISOString();
  // Hydra names the job after its script (hydra.job.name), and the script takes overrides as arguments.
  const template = ['python', `${run.jobName}.py`];
  const command: CommandRecord = {
    template,
    args: [...template, ...run.overrides],
    pass_overrides: true,
    schema: null,
    kill_after_s: 10,
    timeout_s: null,
    seeds: [],
  };
  return {
    format_version: RUN_FORMAT_VERSION,
    id,
    name: run.jobName,
    status: run.failed ? 'failed' : 'completed',
    start,
    end,
    duration_s: Math.round(run.end - run.start) / 1000,
    exit_code: null,
    error: run.failed ? { type: 'HydraJobError', message: `the job log ${basename(run.logFile ?? '')} reports an error`, stack: null } : null,
    host: '',
    pid: 0,
    argv: command.args,
    cwd,
    entry: null,
    config_dir: run.configDir ? relativeTo(cwd, run.configDir) : 'conf',
    config_name: run.configName,
    overrides: run.overrides,
    sweep: run.sweepDir !== null && run.jobNum !== null ? { dir: relativeTo(cwd, run.sweepDir), num: run.jobNum } : null,
    command,
    reproduces: null,
    heartbeat: end,
    heartbeat_interval_s: 0,
    // Labels and notes added with `trellis runs tag/note` survive a second import.
    tags: previous?.tags ?? ['hydra'],
    notes: previous?.notes ?? [],
    artifacts: [],
    imported: { from: 'hydra', version: run.version, dir: run.dir, log: run.logFile, stamp: run.stamp },
  };
}

/** The records an imported run keeps, as their files would hold them. */
function inlineRecordsOf(run: HydraRun): Record<string, string> {
  return {
    [RUN_FILES.config]: run.configText,
    [RUN_FILES.resolved]: resolveHydraConfig(run),
    [RUN_FILES.overrides]: run.overridesText ?? '[]\n',
    [RUN_FILES.choices]: toYamlText(fromPlain(run.choices)),
    [RUN_FILES.summary]: '{"metrics":{},"result":null}\n',
  };
}

/**
 * Whether a directory may exist, from one listing of its parent: on a first import every run
 * directory is new, and one failed listing per sweep folder is cheaper than a failed open of
 * run.json per run (a tenth of a first import's time).
 */
class ExistingDirs {
  private readonly listings = new Map<string, Set<string> | null>();

  mayExist(dir: string): boolean {
    const parent = dirname(dir);
    let names = this.listings.get(parent);
    if (names === undefined) {
      try {
        names = new Set(readdirSync(parent));
      } catch {
        names = null;
      }
      this.listings.set(parent, names);
    }
    return names?.has(basename(dir)) ?? false;
  }
}

/** A file system step of an import, its failure said as what could not be done, where. */
function ioStep(what: string, options: ImportOptions, step: () => void): void {
  try {
    step();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new TrellisError('RUN_IO', `Cannot ${what} (${code})`, { cause: e, hint: `--into must name a folder you can write to (it is ${options.into})` });
  }
}

/** Writes (or refreshes) the trellis records of one Hydra run. */
function importOne(hydraDir: string, options: ImportOptions, existing: ExistingDirs): ImportedRun {
  const dir = shadowDir(hydraDir, options);
  const fresh = !existing.mayExist(dir);
  const previous = (fresh ? undefined : readRunRecord(dir)) as
    (Partial<RunRecord> & { imported?: { stamp?: string; dir?: string; log?: string | null } }) | undefined;
  // Unchanged since the last import: known from stats alone.
  if (previous?.id && previous.imported?.dir === hydraDir && previous.imported.stamp === hydraStamp(hydraDir, previous.imported.log ?? null)) {
    return { id: previous.id, hydraDir, dir, action: 'unchanged', sweep: previous.sweep !== null && previous.sweep !== undefined };
  }
  const run = readHydraRun(hydraDir);
  const sweep = run.jobNum !== null;
  const id = previous?.id ?? runIdOf(run);
  const cwd = run.cwd && existsSync(run.cwd) ? run.cwd : options.cwd;
  // A new run is made under a hidden name (the store skips those) and renamed into place, so it
  // appears whole: an import stopped midway (Ctrl-C, a kill) leaves no half-made run, which the
  // store would list as running. An existing run's run.json is replaced atomically, as a reader
  // may be reading it.
  const staging = fresh ? join(dirname(dir), `.${basename(dir)}.importing`) : dir;
  if (fresh && existing.mayExist(staging)) rmSync(staging, { recursive: true, force: true }); // left by an import that was killed
  ioStep(`make the run directory ${dir}`, options, () => mkdirSync(join(staging, RECORDS_DIR), { recursive: true }));
  // The records ride in run.json (see records/inline-records.ts): one file per run.
  const record = { ...runRecord(run, id, cwd, previous), [INLINE_RECORDS_KEY]: inlineRecordsOf(run) };
  const text = `${JSON.stringify(record, null, 2)}\n`;
  if (fresh) {
    writeFileSync(recordPath(staging, RUN_FILES.run), text);
    ioStep(`move the new run into ${dir}`, options, () => renameSync(staging, dir));
  } else {
    writeFileAtomic(recordPath(dir, RUN_FILES.run), text);
    // An earlier import wrote them as files, which readers prefer to run.json's copies.
    for (const file of Object.keys(record[INLINE_RECORDS_KEY])) rmSync(recordPath(dir, file), { force: true });
  }
  return { id, hydraDir, dir, action: previous ? 'updated' : 'imported', sweep };
}

/** The Hydra folders an import of `paths` reads, and the options it runs with (cwd made real). */
export interface ImportPlan {
  hydraDirs: string[];
  options: ImportOptions;
}

/** Finds the Hydra runs under `paths`; a path that is none and holds none is an error. */
export function planImport(paths: readonly string[], options: ImportOptions): ImportPlan {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  const opts = { ...options, cwd: real(options.cwd) };
  return { hydraDirs: findHydraRuns(paths, opts), options: opts };
}

/** Imports the given Hydra folders, one after the other; importing again updates them and adds nothing. */
export function importDirs(hydraDirs: readonly string[], options: ImportOptions, stop?: Int32Array): ImportedRun[] {
  const existing = new ExistingDirs();
  const done: ImportedRun[] = [];
  for (const hydraDir of hydraDirs) {
    // Set by another thread on Ctrl-C: each run is imported whole or not at all.
    if (stop && Atomics.load(stop, 0) !== 0) break;
    done.push(importOne(hydraDir, options, existing));
  }
  return done;
}
