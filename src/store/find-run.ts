import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readInlineRecords, readRecordText, type ImportedFrom, type InlineRecords } from '../records/inline-records.js';
import { RECORDS_DIR, RUN_FILES, SWEEP_FILES, recordPath } from '../records/names.js';
import { TrellisError } from '../errors/index.js';
import { displayPath, openStore } from './open-store.js';
import { readYamlRecord } from './read-yaml.js';
import { readRunState, StoredRun } from './stored-run.js';
import type { ProgramEnv } from '../run/program-env.js';
import type { ProvenanceEntry } from '../run/provenance.js';
import type { RunInfo, RunSummary } from './types.js';
import { checkArgs } from '../errors/check-args.js';

export interface FindRunOptions {
  cwd?: string;
  /** Where ids are looked up (default outputs/ and multirun/). */
  roots?: readonly string[];
  index?: boolean;
  /** Check every run against its records (see OpenStoreOptions). */
  refresh?: boolean;
}

/**
 * A run named by its directory, its id, or a unique prefix of its id. Throws RUN_NOT_FOUND,
 * RUN_AMBIGUOUS (listing the candidates) or RUN_RECORD_INVALID (a directory that is no run).
 */
export function findRun(ref: string, options: FindRunOptions = {}): StoredRun {
  checkArgs('findRun', [
    ['ref', ref, 'string'],
    ['options', options, 'object', { roots: 'strings?', cwd: 'string?' }],
  ]);
  const cwd = options.cwd ?? process.cwd();
  const path = resolve(cwd, ref);
  if (existsSync(path) && statSync(path).isDirectory()) {
    if (!existsSync(recordPath(path, RUN_FILES.run))) {
      throw new TrellisError('RUN_RECORD_INVALID', `${ref} is not a run directory: it has no ${RECORDS_DIR}/run.json`, {
        hint: existsSync(recordPath(path, SWEEP_FILES.sweep))
          ? `it is a sweep; name one of its jobs, e.g. ${join(ref, '0')}`
          : 'list runs with: trellis runs list',
      });
    }
    const state = readRunState(path);
    if (!state.info) throw new TrellisError('RUN_RECORD_INVALID', `The run in ${ref} cannot be read: ${state.problem}`);
    return new StoredRun(path, path, '', state);
  }
  const store = openStore(options.roots ?? [], { cwd, index: options.index ?? true, refresh: options.refresh ?? false });
  const exact = store.runs.filter((r) => r.id === ref);
  const prefixed = exact.length ? exact : store.runs.filter((r) => r.id?.startsWith(ref));
  store.flush();
  if (prefixed.length === 1) return prefixed[0]!;
  if (prefixed.length === 0) {
    throw new TrellisError('RUN_NOT_FOUND', `No run has the id or directory '${ref}'`, {
      hint: store.roots.length
        ? `searched ${store.roots.map((r) => displayPath(r, cwd)).join(', ')}; list runs with: trellis runs list`
        : 'no outputs/ or multirun/ here; give the run directory, or --root DIR',
    });
  }
  const shown = prefixed.slice(0, 10).map((r) => `${r.id}  ${displayPath(r.dir, cwd)}`);
  throw new TrellisError('RUN_AMBIGUOUS', `'${ref}' matches ${prefixed.length} runs`, {
    hint: `give more of the id, or the directory:\n  ${shown.join('\n  ')}${prefixed.length > 10 ? `\n  … and ${prefixed.length - 10} more` : ''}`,
  });
}

/** Every record of a run directory, read leniently: a missing or unreadable record is null. */
export interface RunRecords {
  dir: string;
  info: RunInfo;
  config: unknown;
  /** config.yaml as text (interpolations kept), for drift checks. */
  configText: string | null;
  resolved: unknown;
  overrides: string[] | null;
  choices: Record<string, unknown> | null;
  seeds: { master?: unknown; derived?: Record<string, unknown> } | null;
  env: Record<string, unknown> | null;
  /** A command job's program env; null for Node-function runs, which have none. */
  program: ProgramEnv | null;
  git: Record<string, unknown> | null;
  gitDiff: string | null;
  inputs: Array<{ path: string; size?: number; sha256?: string }> | null;
  provenance: Record<string, ProvenanceEntry> | null;
  defaults: Array<{ config: string; package: string; parent: string | null }> | null;
  summary: RunSummary | null;
  /** Where the run was imported from (`trellis import hydra`); null for a run trellis ran. */
  imported: ImportedFrom | null;
  /** Records that could not be read, with why. */
  problems: string[];
}

export function readRecords(run: StoredRun): RunRecords {
  const problems: string[] = [];
  // run.json's inline records, read once, on the first record without a file.
  let inline: { records: InlineRecords | undefined } | undefined;
  const inlineRecords = () => (inline ??= { records: readInlineRecords(run.dir) }).records;
  const text = (file: string): string | null => {
    try {
      return readRecordText(run.dir, file, inlineRecords);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Optional records: git.diff only when dirty, program.json only for command jobs; an
      // imported run has only what it brought (Hydra keeps no seeds, environment or git state).
      const optional = file === RUN_FILES.gitDiff || file === RUN_FILES.program || Boolean(inlineRecords()?.imported);
      if (!(code === 'ENOENT' && optional)) problems.push(`${file} ${code === 'ENOENT' ? 'missing' : `cannot be read (${code ?? 'error'})`}`);
      return null;
    }
  };
  const json = <T>(file: string): T | null => {
    const t = text(file);
    if (t === null) return null;
    try {
      return JSON.parse(t) as T;
    } catch {
      problems.push(`${file} is not valid JSON`);
      return null;
    }
  };
  const yaml = <T>(file: string): T | null => {
    const t = text(file);
    if (t === null) return null;
    try {
      return readYamlRecord(t, join(run.dir, RECORDS_DIR, file)) as T;
    } catch (e) {
      problems.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
      return null;
    }
  };
  if (!run.info) throw new TrellisError('RUN_RECORD_INVALID', `The run in ${run.dir} cannot be read: ${run.reason()}`);
  const configText = text('config.yaml');
  let config: unknown = null;
  if (configText !== null) {
    try {
      config = readYamlRecord(configText, recordPath(run.dir, RUN_FILES.config));
    } catch (e) {
      problems.push(`config.yaml: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const overrides = yaml<unknown>('overrides.yaml');
  return {
    dir: run.dir,
    info: run.info,
    config,
    configText,
    resolved: yaml('resolved.yaml'),
    overrides: Array.isArray(overrides) ? overrides.map(String) : null,
    choices: yaml('choices.yaml'),
    seeds: json('seeds.json'),
    env: json('env.json'),
    program: json(RUN_FILES.program),
    git: json('git.json'),
    gitDiff: text('git.diff'),
    inputs: json('inputs.json'),
    provenance: json('provenance.json'),
    defaults: json('defaults.json'),
    summary: run.summary(),
    imported: inlineRecords()?.imported ?? null,
    problems,
  };
}
