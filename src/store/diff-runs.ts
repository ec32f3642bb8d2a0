import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { isHandoffEnv } from '../records/env-vars.js';
import { readRecords, type RunRecords } from './find-run.js';
import type { ProvenanceEntry } from '../run/provenance.js';
import { StoredRun } from './stored-run.js';
import { appendIndex, appendKey } from '../util/key-path.js';
import { checkArgs } from '../errors/check-args.js';

/**
 * The categories of a run diff, in the order shown. All but `metrics` are inputs: what a run
 * recorded about what it ran with. `metrics` is the outcome (status, summaries, return value).
 */
export const DIFF_CATEGORIES = ['choices', 'config', 'overrides', 'seeds', 'inputs', 'git', 'packages', 'runtime', 'command', 'metrics'] as const;
export type DiffCategory = (typeof DIFF_CATEGORIES)[number];

export interface DiffEntry {
  key: string;
  /** undefined: the key is absent from that run (JSON: the `a`/`b` property is left out). */
  a?: unknown;
  b?: unknown;
  /** For config values: where each side's value came from (file:line:col or the override). */
  aFrom?: string;
  bFrom?: string;
}

export interface RunDiff {
  a: { dir: string; id: string | null; status: string | null };
  b: { dir: string; id: string | null; status: string | null };
  categories: Record<DiffCategory, DiffEntry[]>;
  /** Some recorded input differs (any category but metrics). */
  inputsDiffer: boolean;
  /** Status, a metric summary or the return value differs. */
  outcomesDiffer: boolean;
  /** Records missing or unreadable on either side. */
  problems: { a: string[]; b: string[] };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Leaf key paths (`a.b[0]`, as provenance.json writes them) → values; empty containers are leaves. */
export function flatten(value: unknown, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (Array.isArray(value) && value.length) value.forEach((item, i) => flatten(item, appendIndex(prefix, i), out));
  else if (isObject(value) && Object.keys(value).length) {
    for (const [k, v] of Object.entries(value)) flatten(v, appendKey(prefix, k), out);
  } else if (prefix) out.set(prefix, value);
  return out;
}

const same = (a: unknown, b: unknown) => a === b || (Number.isNaN(a) && Number.isNaN(b)) || JSON.stringify(a) === JSON.stringify(b);

function diffMaps(a: Map<string, unknown>, b: Map<string, unknown>): DiffEntry[] {
  const out: DiffEntry[] = [];
  const keys = [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))];
  for (const key of keys) {
    const [x, y] = [a.get(key), b.get(key)];
    if (a.has(key) && b.has(key) && same(x, y)) continue;
    const entry: DiffEntry = { key };
    if (a.has(key)) entry.a = x;
    if (b.has(key)) entry.b = y;
    out.push(entry);
  }
  return out;
}

/** file:line:col, or `override 'text'`, of the key or its nearest recorded ancestor. */
export function originText(provenance: Record<string, ProvenanceEntry> | null, key: string): string | undefined {
  if (!provenance) return undefined;
  for (let k = key; k; k = k.replace(/(\.[^.[\]]*|\[\d+\])$/, '')) {
    const p = Object.hasOwn(provenance, k) ? provenance[k] : undefined;
    if (p?.override !== undefined) return `override '${p.override}'`;
    if (p?.file !== undefined) return `${p.file}:${p.line ?? 0}:${p.col ?? 0}`;
    if (!/[.[]/.test(k)) break;
  }
  return undefined;
}

/** `+key=v`, `++key=v`, `~key` → key; the text is what is compared. */
function overrideKey(text: string): string {
  const body = text.replace(/^(\+\+|\+|~)/, '');
  const eq = body.indexOf('=');
  return `${text.startsWith('~') ? '~' : ''}${eq < 0 ? body : body.slice(0, eq)}`;
}

function diffSummary(text: string | null, git: Record<string, unknown> | null): string {
  if (!git || git.available !== true) return 'not recorded';
  if (!text) return git.dirty ? 'dirty (diff not recorded)' : 'clean';
  const files = (text.match(/^diff --git /gm) ?? []).length;
  const added = (text.match(/^\+(?!\+\+)/gm) ?? []).length;
  const removed = (text.match(/^-(?!--)/gm) ?? []).length;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  return `${files} file${files === 1 ? '' : 's'}, +${added} -${removed} (sha256 ${hash})`;
}

function gitMap(r: RunRecords): Map<string, unknown> {
  const g = r.git;
  const m = new Map<string, unknown>();
  if (!g) return m;
  if (g.available !== true) {
    m.set('available', false);
    return m;
  }
  for (const k of ['commit', 'branch', 'remote', 'dirty']) m.set(k, g[k] ?? null);
  m.set('untracked', Array.isArray(g.untracked) ? g.untracked.join(', ') : null);
  m.set('diff', diffSummary(r.gitDiff, g));
  return m;
}

/** The version that loaded, and the lock file's when it says otherwise (a stale or patched node_modules). */
function dependencyText(info: Record<string, unknown>): unknown {
  const installed = info.installed ?? `${String(info.spec)} (not installed)`;
  return typeof info.locked === 'string' && info.locked !== info.installed ? `${String(installed)} (lock file: ${info.locked})` : installed;
}

/** A Node project's packages (env.json's, or a node command job's), keys after `prefix`. */
function npmPackages(p: unknown, prefix: string, m: Map<string, unknown>): void {
  if (!isObject(p)) return;
  if (isObject(p.project)) {
    m.set(`${prefix}project.name`, p.project.name ?? null);
    m.set(`${prefix}project.version`, p.project.version ?? null);
  }
  for (const group of ['dependencies', 'devDependencies']) {
    const deps = p[group];
    if (!isObject(deps)) continue;
    for (const [name, info] of Object.entries(deps)) m.set(`${prefix}${group}.${name}`, isObject(info) ? dependencyText(info) : info);
  }
  // The lock file pins the transitive set: a change there shows even when no direct version moved.
  if (typeof p.lockfileSha256 === 'string') m.set(`${prefix}lockfile.sha256`, p.lockfileSha256);
}

/** Trellis's own project (env.json), then a command job's: `python:<distribution>`, `node:<group>.<name>`. */
function packagesMap(r: RunRecords): Map<string, unknown> {
  const m = new Map<string, unknown>();
  npmPackages(r.env?.packages, '', m);
  const program = isObject(r.program) ? r.program : undefined;
  const distributions = isObject(program?.python) ? program.python.distributions : undefined;
  if (isObject(distributions)) for (const [name, version] of Object.entries(distributions)) m.set(`python:${name}`, version);
  if (isObject(program?.node)) npmPackages(program.node.packages, 'node:', m);
  return m;
}

/** A command job's program: what ran it, where, and the script's hash (`program.*`). */
function programMap(r: RunRecords, m: Map<string, unknown>): void {
  const p = isObject(r.program) ? r.program : undefined;
  if (!p) return;
  for (const k of ['kind', 'path', 'version', 'module']) m.set(`program.${k}`, p[k] ?? null);
  if (isObject(p.interpreter)) m.set('program.interpreter', p.interpreter.path ?? p.interpreter.name ?? null);
  if (isObject(p.script)) {
    m.set('program.script.path', p.script.path ?? null);
    m.set('program.script.sha256', p.script.sha256 ?? null);
  }
  if (isObject(p.python)) for (const k of ['implementation', 'executable', 'venv', 'virtual_env', 'conda_prefix']) m.set(`program.${k}`, p.python[k] ?? null);
  if (Array.isArray(p.errors) && p.errors.length) m.set('program.errors', p.errors.join('; '));
}

function runtimeMap(r: RunRecords): Map<string, unknown> {
  const m = new Map<string, unknown>();
  const env = r.env;
  if (env) {
    for (const section of ['runtime', 'os', 'cpu', 'memory']) {
      const s = env[section];
      if (!isObject(s)) continue;
      for (const [k, v] of Object.entries(s)) if (k !== 'execPath' && k !== 'hostname' && k !== 'version') m.set(`${section}.${k}`, v);
    }
    if (Array.isArray(env.gpus))
      m.set('gpus', env.gpus.map((g) => (isObject(g) ? `${String(g.name)} (${String(g.driverVersion)})` : String(g))).join(', ') || 'none');
    // Runs recorded before the snapshot left out trellis's own hand-offs still hold them.
    if (isObject(env.env)) for (const [k, v] of Object.entries(env.env)) if (!isHandoffEnv(k)) m.set(`env.${k}`, v);
    if (isObject(env.config_env)) for (const [k, v] of Object.entries(env.config_env)) m.set(`config_env.${k}`, v);
  }
  programMap(r, m);
  m.set('host', r.info.host);
  return m;
}

function metricsMap(r: RunRecords): Map<string, unknown> {
  const m = new Map<string, unknown>();
  m.set('status', r.info.status);
  m.set('exit_code', r.info.exit_code);
  if (r.info.error?.message) m.set('error', r.info.error.message);
  const metrics = r.summary?.metrics ?? {};
  for (const [name, stats] of Object.entries(metrics)) {
    if (!isObject(stats)) continue;
    for (const stat of ['last', 'min', 'max', 'count']) if (stat in stats) m.set(`${name}.${stat}`, stats[stat]);
  }
  if (r.summary && r.summary.result !== null && r.summary.result !== undefined) {
    if (isObject(r.summary.result) || Array.isArray(r.summary.result)) flatten(r.summary.result, 'result', m);
    else m.set('result', r.summary.result);
  }
  return m;
}

function overridesDiff(a: string[] | null, b: string[] | null): DiffEntry[] {
  const toMap = (list: string[] | null) => new Map((list ?? []).map((t) => [overrideKey(t), t] as const));
  const entries = diffMaps(toMap(a), toMap(b));
  // Same overrides in another order compose the same config, except for appended group entries.
  return entries;
}

/**
 * A structural diff of two runs' records, key by key: group choices, config values (with where
 * each came from), overrides, seeds, inputs' hashes, git, package versions, runtime, the command
 * and the outcome. Every input trellis records is compared, so when two runs' outcomes differ,
 * whatever recorded input explains it is in the diff.
 */
export function diffRuns(a: StoredRun | RunRecords, b: StoredRun | RunRecords): RunDiff {
  checkArgs('diffRuns', [
    ['a', a, 'object'],
    ['b', b, 'object'],
  ]);
  const ra = a instanceof StoredRun ? readRecords(a) : a;
  const rb = b instanceof StoredRun ? readRecords(b) : b;
  const config = diffMaps(flatten(ra.resolved), flatten(rb.resolved));
  for (const e of config) {
    const [fa, fb] = [originText(ra.provenance, e.key), originText(rb.provenance, e.key)];
    if (fa !== undefined && 'a' in e) e.aFrom = fa;
    if (fb !== undefined && 'b' in e) e.bFrom = fb;
  }
  const seeds = (r: RunRecords) => {
    const m = new Map<string, unknown>();
    if (!r.seeds) return m;
    m.set('master', r.seeds.master);
    if (isObject(r.seeds.derived)) for (const [k, v] of Object.entries(r.seeds.derived)) m.set(`derived.${k}`, v);
    return m;
  };
  const inputs = (r: RunRecords) => {
    const m = new Map<string, unknown>();
    for (const i of r.inputs ?? []) if (isObject(i)) m.set(String(i.path), `sha256 ${String(i.sha256)} (${String(i.size)} bytes)`);
    return m;
  };
  // A sweep records paths relative to its cwd, a single run absolute ones: compare where they point.
  const absolute = (r: RunRecords, path: string | null) => (path === null || isAbsolute(path) || r.info.cwd === null ? path : resolve(r.info.cwd, path));
  const command = (r: RunRecords) => {
    const m = new Map<string, unknown>([
      ['entry', absolute(r, r.info.entry)],
      ['config_dir', absolute(r, r.info.config_dir)],
      ['config_name', r.info.config_name],
    ]);
    const job = r.info.command;
    if (job) {
      // Each run's own directory in its arguments is no difference between two runs.
      m.set('command.args', job.args.map((arg) => arg.split(r.dir).join('<run dir>')).join(' '));
      for (const key of ['template', 'pass_overrides', 'schema', 'kill_after_s', 'timeout_s', 'seeds']) {
        const value = job[key];
        if (value !== undefined) m.set(`command.${key}`, Array.isArray(value) ? value.join(' ') : value);
      }
    }
    return m;
  };
  const categories: Record<DiffCategory, DiffEntry[]> = {
    choices: diffMaps(flatten(ra.choices), flatten(rb.choices)),
    config,
    overrides: overridesDiff(ra.overrides ?? ra.info.overrides, rb.overrides ?? rb.info.overrides),
    seeds: diffMaps(seeds(ra), seeds(rb)),
    inputs: diffMaps(inputs(ra), inputs(rb)),
    git: diffMaps(gitMap(ra), gitMap(rb)),
    packages: diffMaps(packagesMap(ra), packagesMap(rb)),
    runtime: diffMaps(runtimeMap(ra), runtimeMap(rb)),
    command: diffMaps(command(ra), command(rb)),
    metrics: diffMaps(metricsMap(ra), metricsMap(rb)),
  };
  const side = (r: RunRecords) => ({ dir: r.dir, id: r.info.id, status: r.info.status });
  return {
    a: side(ra),
    b: side(rb),
    categories,
    inputsDiffer: DIFF_CATEGORIES.some((c) => c !== 'metrics' && categories[c].length > 0),
    outcomesDiffer: categories.metrics.length > 0,
    problems: { a: ra.problems, b: rb.problems },
  };
}
