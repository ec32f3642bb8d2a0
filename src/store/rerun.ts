import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { RUN_FILES, recordPath } from '../records/names.js';
import { composeFromDir } from '../config-dir/compose-dir.js';
import { RERUN_ENV } from '../records/env-vars.js';
import { commandJobFlags, readRunRecord } from '../records/run-record.js';
import { trellisBin } from '../console/versions.js';
import { isTrellisError, TrellisError } from '../errors/index.js';
import { captureEnvironment } from '../run/env-snapshot.js';
import { captureGit } from '../run/git-snapshot.js';
import { captureProgramEnv, type ProgramEnv } from '../run/program-env.js';
import { hashInput } from '../run/inputs.js';
import { recordedEnvReads, redactorFor, secretValuesFromEnv } from '../run/secrets.js';
import { toYamlText } from '../tree/emit.js';
import { diffRuns, flatten, type DiffEntry } from './diff-runs.js';
import { readRecords, type RunRecords } from './find-run.js';
import { DEFAULT_ROOTS } from './open-store.js';
import { readYamlRecord } from './read-yaml.js';
import { readRunState, StoredRun, stringsOf } from './stored-run.js';
import { rerunTrustProblems } from './rerun-trust.js';
import { checkArgs } from '../errors/check-args.js';

export type DriftCategory = 'config' | 'env' | 'git' | 'packages' | 'inputs' | 'runtime';

/** One thing that changed since the run: what it was then and what it is now. */
export interface Drift {
  category: DriftCategory;
  key: string;
  was: unknown;
  now: unknown;
}

export interface DriftReport {
  drifts: Drift[];
  /** Set when the recorded overrides no longer compose (the message of that error). */
  composeError: string | null;
}

export interface RerunOptions {
  /** Overrides added after the recorded ones (the last one for a key wins). */
  overrides?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** The child's output: inherited (CLI) or collected (tests, API). Default 'inherit'. */
  stdio?: 'inherit' | 'pipe';
  /** Called with the drift report before the run starts. */
  onDrift?: (report: DriftReport) => void;
  /** Report drift only; run nothing. */
  dryRun?: boolean;
  /** Compare the new run's metrics with the original's. */
  verify?: boolean;
  /** Relative tolerance for `verify` (default 1e-9). */
  tolerance?: number;
  /** The project the rerun is made from; what the run names must lie in it (default: the cwd). */
  projectDir?: string;
  /** Run what the run directory names even where the trust checks fail (`--trust`). */
  trust?: boolean;
  /** Called with the command about to run and the trust problems found, before anything runs. */
  onPlan?: (plan: { command: string[]; cwd: string; problems: string[] }) => void;
}

export type Verdict = 'equal' | 'within-tolerance' | 'different';

export interface Verification {
  verdict: Verdict;
  tolerance: number;
  /** Metric and result values that differ (exactly), with the relative difference of numbers. */
  differences: Array<DiffEntry & { relative?: number }>;
}

export interface RerunResult {
  drift: DriftReport;
  /** The child's exit code (null on a dry run). */
  exitCode: number | null;
  /** The new run directory, found by its `reproduces` link; null when none was made. */
  dir: string | null;
  output: { stdout: string; stderr: string };
  verification: Verification | null;
}

function recordedConfigKeys(r: RunRecords, composedText: string): string[] {
  const now = flatten(readYamlRecord(composedText, 'composed config'));
  const was = flatten(r.config);
  const keys = new Set<string>();
  for (const [k, v] of was) if (!now.has(k) || JSON.stringify(now.get(k)) !== JSON.stringify(v)) keys.add(k);
  for (const k of now.keys()) if (!was.has(k)) keys.add(k);
  return [...keys];
}

/** The command a command job ran: run.json's, else what program.json recorded of it. */
function recordedCommand(r: RunRecords, program: ProgramEnv): string[] {
  if (r.info.command?.args.length) return r.info.command.args;
  const command = [program.program];
  // For a `#!` script the program is the script; otherwise the script or module was the interpreter's argument.
  if (program.module) command.push('-m', program.module);
  else if (program.script && !program.interpreter) command.push(program.script.path);
  return command;
}

/**
 * What changed since the run, before running it again: the config files (the recorded overrides
 * composed afresh, compared key by key with config.yaml), the git commit and dirty diff, the
 * installed package versions and Node (and a command job's interpreter, venv and distributions),
 * and the hashes of tracked inputs.
 */
export async function detectDrift(r: RunRecords, env: NodeJS.ProcessEnv = process.env): Promise<DriftReport> {
  checkArgs('detectDrift', [
    ['records', r, 'object', { dir: 'string', info: 'object' }],
    ['env', env, 'object'],
  ]);
  const cwd = r.info.cwd ?? process.cwd();
  const drifts: Drift[] = [];
  let composeError: string | null = null;
  const overrides = r.overrides ?? r.info.overrides;
  try {
    const composition = composeFromDir({ configDir: r.info.config_dir ?? 'conf', configName: r.info.config_name ?? 'config', overrides, cwd, env });
    const text = toYamlText(composition.config);
    if (r.configText !== null && text !== r.configText) {
      for (const key of recordedConfigKeys(r, text)) {
        const was = flatten(r.config).get(key);
        const now = flatten(readYamlRecord(text, 'composed config')).get(key);
        drifts.push({ category: 'config', key, was: was ?? null, now: now ?? null });
      }
    }
  } catch (e) {
    composeError = isTrellisError(e) || e instanceof Error ? e.message : String(e);
  }

  const [git, envNow, programNow] = await Promise.all([
    captureGit(cwd),
    captureEnvironment({ env, cwd, argv: [], gpuTimeoutMs: 1000 }),
    r.program ? captureProgramEnv(recordedCommand(r, r.program), { cwd, env }) : null,
  ]);
  const was = r.git;
  if (was && was.available === true) {
    if (!git.available) drifts.push({ category: 'git', key: 'available', was: true, now: false });
    else {
      if (git.commit !== was.commit) drifts.push({ category: 'git', key: 'commit', was: was.commit ?? null, now: git.commit });
      if (git.dirty !== was.dirty) drifts.push({ category: 'git', key: 'dirty', was: was.dirty ?? null, now: git.dirty });
      const wasDiff = r.gitDiff ?? '';
      if (git.diff !== wasDiff)
        drifts.push({ category: 'git', key: 'diff', was: wasDiff ? `${wasDiff.length} bytes` : 'clean', now: git.diff ? `${git.diff.length} bytes` : 'clean' });
      drifts.push(...fileDrifts(wasDiff, git.diff, stringsOf(was.untracked), git.untracked));
    }
  } else if (git.available && was) drifts.push({ category: 'git', key: 'available', was: false, now: true });

  // Package versions and the runtime: the same comparison as `runs diff`, against a fresh snapshot.
  // A command job's program (interpreter, venv, distributions, script) is captured again the same way.
  const fresh: RunRecords = { ...r, env: envNow as unknown as Record<string, unknown>, program: programNow };
  const d = diffRuns(r, fresh);
  for (const e of d.categories.packages) drifts.push({ category: 'packages', key: e.key, was: e.a ?? null, now: e.b ?? null });
  for (const e of d.categories.runtime)
    if (/^(runtime\.(node|typescript)$|program\.)/.test(e.key)) drifts.push({ category: 'runtime', key: e.key, was: e.a ?? null, now: e.b ?? null });

  drifts.push(...envReadDrifts(r, env));

  for (const input of r.inputs ?? []) {
    try {
      const now = await hashInput(input.path, cwd);
      if (now.sha256 !== input.sha256) drifts.push({ category: 'inputs', key: input.path, was: input.sha256 ?? null, now: now.sha256 });
    } catch {
      drifts.push({ category: 'inputs', key: input.path, was: input.sha256 ?? null, now: 'missing' });
    }
  }
  return { drifts, composeError };
}

/**
 * The environment variables the config read (env.json's `config_env`), read again now: a
 * `${oc.env:DB_PORT}` that changed is a changed input although no file did.
 */
function envReadDrifts(r: RunRecords, env: NodeJS.ProcessEnv): Drift[] {
  const then = r.env?.config_env;
  if (then === null || typeof then !== 'object' || Array.isArray(then)) return [];
  const names = Object.keys(then);
  const redact = redactorFor(secretValuesFromEnv(env));
  const now = recordedEnvReads(new Map(names.map((name) => [name, env[name]])));
  const drifts: Drift[] = [];
  for (const name of names) {
    const was = (then as Record<string, unknown>)[name] ?? null;
    const current = now[name] === null ? null : redact(now[name]!);
    if (was !== current) drifts.push({ category: 'env', key: name, was, now: current });
  }
  return drifts;
}

/** A unified diff per file: `diff --git a/PATH b/PATH` → that file's part. */
function diffByFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(/^(?=diff --git )/m)) {
    const path = /^diff --git a\/(.*?) b\//.exec(part)?.[1];
    if (path !== undefined) out.set(path, part);
  }
  return out;
}

/**
 * Which files make the work tree differ from the run's: modified since (or no longer), modified
 * differently, and new untracked files, one drift each, as `runs diff` names them.
 */
export function fileDrifts(wasDiff: string, nowDiff: string, wasUntracked: readonly string[], nowUntracked: readonly string[]): Drift[] {
  const [was, now] = [diffByFile(wasDiff), diffByFile(nowDiff)];
  const out: Drift[] = [];
  for (const [file, part] of now) {
    if (!was.has(file)) out.push({ category: 'git', key: `file ${file}`, was: 'as committed', now: 'changed' });
    else if (was.get(file) !== part) out.push({ category: 'git', key: `file ${file}`, was: 'changed', now: 'changed differently' });
  }
  for (const file of was.keys()) if (!now.has(file)) out.push({ category: 'git', key: `file ${file}`, was: 'changed', now: 'as committed' });
  for (const file of nowUntracked) if (!wasUntracked.includes(file)) out.push({ category: 'git', key: `file ${file}`, was: 'absent', now: 'new, untracked' });
  for (const file of wasUntracked)
    if (!nowUntracked.includes(file)) out.push({ category: 'git', key: `file ${file}`, was: 'untracked', now: 'gone or tracked' });
  return out;
}

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };
const asNumber = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && Object.hasOwn(NON_FINITE, v) ? NON_FINITE[v] : undefined);

/** Compares two runs' metric summaries and return values: equal, within a relative tolerance, or different. */
export function verifyMetrics(original: RunRecords, rerun: RunRecords, tolerance = 1e-9): Verification {
  checkArgs('verifyMetrics', [
    ['original', original, 'object'],
    ['rerun', rerun, 'object'],
    ['tolerance', tolerance, 'number'],
  ]);
  const entries = diffRuns(original, rerun).categories.metrics.filter((e) => e.key !== 'exit_code' || e.a !== e.b);
  let verdict: Verdict = 'equal';
  const differences: Verification['differences'] = [];
  for (const e of entries) {
    const [a, b] = [asNumber(e.a), asNumber(e.b)];
    if (a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b)) {
      const relative = Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));
      differences.push({ ...e, relative });
      if (relative > tolerance) verdict = 'different';
      else if (verdict === 'equal') verdict = 'within-tolerance';
    } else {
      differences.push(e);
      verdict = 'different';
    }
  }
  return { verdict, tolerance, differences };
}

/** Run directories whose run.json says they reproduce `original`, newest first. */
function findReproductions(original: string, roots: readonly string[]): string[] {
  const found: Array<{ dir: string; start: string }> = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return;
    if (existsSync(recordPath(dir, RUN_FILES.run))) {
      const state = readRunState(dir);
      if (state.info?.reproduces === original) found.push({ dir, start: state.info.start ?? '' });
      return;
    }
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules') walk(join(dir, e.name), depth + 1);
  };
  for (const root of roots) walk(root, 0);
  return found.sort((a, b) => (a.start < b.start ? 1 : a.start > b.start ? -1 : 0)).map((f) => f.dir);
}

/**
 * Runs the app of a recorded run again: its entry script, from its working directory, with its
 * config dir and name, recorded overrides (plus `options.overrides`), and its master seed
 * (TRELLIS_MASTER_SEED, used when the config sets no seed), into a new run directory whose
 * run.json links back (`reproduces`, from TRELLIS_REPRODUCES). Drift is reported first. Works for
 * a job of a sweep: its run.json holds the job's own overrides.
 */
export async function rerun(run: StoredRun | string, options: RerunOptions = {}): Promise<RerunResult> {
  checkArgs('rerun', [
    ['run', run, ['string', 'object']],
    ['options', options, 'object', { overrides: 'strings?', dryRun: 'boolean?' }],
  ]);
  if (options.verify && options.overrides?.length) {
    throw new TrellisError('USAGE', `--verify compares the new run with the original, but the overrides ${options.overrides.join(' ')} change what runs`, {
      hint: 'drop the overrides to check that the run reproduces, or drop --verify to run a variant of it',
    });
  }
  const stored = typeof run === 'string' ? new StoredRun(resolve(run), resolve(run), '', readRunState(resolve(run))) : run;
  const r = readRecords(stored);
  const info = r.info;
  const command = readRunRecord(r.dir)?.command;
  if (!info.entry && !command) {
    throw new TrellisError('RUN_RECORD_INVALID', `The run in ${r.dir} did not record the script that started it (run.json "entry")`, {
      hint: 'runs started through defineApp(...).main() record it; run the app again by hand with the overrides in overrides.yaml',
    });
  }
  const cwd = info.cwd ?? process.cwd();
  // A command job starts again through this trellis's `run`; an app through its own script.
  const entry = command ? trellisBin() : isAbsolute(info.entry!) ? info.entry! : resolve(cwd, info.entry!);
  if (!existsSync(entry)) {
    throw new TrellisError('RUN_RECORD_INVALID', `The run's entry script ${entry} no longer exists`, {
      hint: 'rebuild the app (npm run build), or check out the commit in git.json',
    });
  }
  const args = [
    entry,
    ...(command ? ['run'] : []),
    ...(r.overrides ?? info.overrides),
    ...(options.overrides ?? []),
    '--config-dir',
    info.config_dir ?? 'conf',
    '--config-name',
    info.config_name ?? 'config',
    ...(command ? commandJobFlags(command, info.name ?? 'command') : []),
  ];
  const configDir = info.config_dir ?? 'conf';
  const storeRoots = [...DEFAULT_ROOTS.map((d) => join(cwd, d)), stored.root];
  const problems = rerunTrustProblems(
    { cwd, entry: command ? undefined : entry, configDir, command: command?.args, storeRoots },
    options.projectDir ?? process.cwd(),
  );
  options.onPlan?.({ command: [process.execPath, ...args], cwd, problems });
  if (problems.length && !options.trust && !options.dryRun) {
    throw new TrellisError('RUN_UNTRUSTED', `Refusing to rerun ${r.dir}: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, {
      hint: 'a run directory is data that can be copied from anywhere; read the command above, and add --trust to run it anyway',
    });
  }
  const env = options.env ?? process.env;
  const drift = await detectDrift(r, env);
  options.onDrift?.(drift);
  const output = { stdout: '', stderr: '' };
  if (options.dryRun) return { drift, exitCode: null, dir: null, output, verification: null };

  const master = r.seeds?.master;
  const childEnv: NodeJS.ProcessEnv = { ...env, [RERUN_ENV.reproduces]: r.dir };
  if (typeof master === 'number') childEnv[RERUN_ENV.masterSeed] = String(master);
  else delete childEnv[RERUN_ENV.masterSeed];
  const child = spawn(process.execPath, args, { cwd, env: childEnv, stdio: options.stdio === 'pipe' ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  child.stdout?.on('data', (d: Buffer) => (output.stdout += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (output.stderr += d.toString('utf8')));
  const exitCode = await new Promise<number>((done) => {
    child.on('error', () => done(127));
    child.on('close', (code) => done(code ?? 1));
  });

  const roots = [...new Set([...DEFAULT_ROOTS.map((d) => join(cwd, d)), stored.root])].filter((d) => existsSync(d));
  const dir = findReproductions(r.dir, roots)[0] ?? null;
  let verification: Verification | null = null;
  if (options.verify && dir) {
    const again = new StoredRun(dir, dir, '', readRunState(dir));
    verification = verifyMetrics(r, readRecords(again), options.tolerance ?? 1e-9);
  }
  return { drift, exitCode, dir, output, verification };
}
