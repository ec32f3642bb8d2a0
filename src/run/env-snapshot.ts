import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fnmatch } from '../overrides/glob.js';
import { findOnPath } from '../util/find-on-path.js';
import { isHandoffEnv } from '../records/env-vars.js';
import { REDACTED, isSecretName, redactStrings, redactText, redactUrl, secretValuesFromEnv } from './secrets.js';

/** Env vars recorded by default: those that change what a job computes or where it ran. */
export const DEFAULT_ENV_ALLOW: readonly string[] = [
  'CUDA_*',
  'NVIDIA_VISIBLE_DEVICES',
  'OMP_NUM_THREADS',
  'NODE_ENV',
  'NODE_OPTIONS',
  'SLURM_*',
  'TRELLIS_*',
  'HOSTNAME',
  'USER',
  'TZ',
  'LANG',
];

export interface EnvSnapshotOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  argv: string[];
  /** Values to remove wherever they appear; the values of secret-named env vars are added. */
  secretValues?: Iterable<string>;
  /** Extra env var names or fnmatch globs (`WANDB_*`) to record besides `DEFAULT_ENV_ALLOW`. */
  includeEnv?: string[];
  /** How long nvidia-smi may take before GPUs are recorded as `[]` (default 3000 ms). */
  gpuTimeoutMs?: number;
}

export interface GpuInfo {
  name: string;
  memoryTotal: string;
  driverVersion: string;
}

interface DependencyInfo {
  /** The range written in package.json. */
  spec: string;
  /**
   * The version that loads: node_modules/<name>/package.json as Node finds it; null when not
   * installed. A stale or hand-patched node_modules shows here, not in the lock file.
   */
  installed: string | null;
  /** The version the lock file names; null without a lock file or an entry in it. */
  locked: string | null;
}

/** A Node project's dependencies and their installed versions (also recorded for `node` command jobs). */
export interface PackagesInfo {
  /** The nearest directory upward from cwd with a package.json; null when there is none. */
  project: { dir: string; name: string | null; version: string | null } | null;
  /** The project's package-lock.json, when one was found. */
  lockfile: string | null;
  /** SHA-256 of that lock file: the transitive set, which the direct versions do not show. */
  lockfileSha256: string | null;
  dependencies: Record<string, DependencyInfo>;
  devDependencies: Record<string, DependencyInfo>;
}

export interface EnvSnapshot {
  runtime: { node: string; v8: string; typescript: string | null; platform: string; arch: string; execPath: string };
  os: { type: string; release: string; version: string; hostname: string };
  cpu: { model: string; count: number; availableParallelism: number };
  memory: { totalBytes: number };
  gpus: GpuInfo[];
  packages: PackagesInfo;
  invocation: { cwd: string; argv: string[] };
  env: Record<string, string>;
}

/**
 * Records what a run ran on (`env.json`): runtime, OS, CPU, memory, GPUs, the project's
 * dependencies and selected env vars. Fast by design: no package-manager subprocess, and
 * nvidia-smi only runs when it is on PATH. Secret-named vars are recorded as `***`, and every
 * known secret value is removed from every string of the snapshot.
 */
export async function captureEnvironment(options: EnvSnapshotOptions): Promise<EnvSnapshot> {
  const cpus = os.cpus();
  const packages = readPackages(options.cwd);
  const snapshot: EnvSnapshot = {
    runtime: {
      node: process.versions.node,
      v8: process.versions.v8,
      // The project's compiler, when it has one: what the job's TypeScript was built with.
      typescript: packages.devDependencies.typescript?.installed ?? packages.dependencies.typescript?.installed ?? null,
      platform: process.platform,
      arch: process.arch,
      execPath: process.execPath,
    },
    os: { type: os.type(), release: os.release(), version: os.version(), hostname: os.hostname() },
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', count: cpus.length, availableParallelism: os.availableParallelism() },
    memory: { totalBytes: os.totalmem() },
    gpus: await probeGpus(options.env, options.gpuTimeoutMs ?? 3000),
    packages,
    invocation: { cwd: options.cwd, argv: [...options.argv] },
    env: selectEnv(options.env, [...DEFAULT_ENV_ALLOW, ...(options.includeEnv ?? [])]),
  };
  const secrets = [...(options.secretValues ?? []), ...secretValuesFromEnv(options.env)];
  return redactStrings(snapshot, (text) => redactText(redactUrl(text), secrets));
}

/** The allowed vars, sorted by name; a secret-looking name is kept but its value is `***`. */
export function selectEnv(env: NodeJS.ProcessEnv, patterns: readonly string[]): Record<string, string> {
  const entries: [string, string][] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || isHandoffEnv(name) || !patterns.some((p) => fnmatch(name, p))) continue;
    entries.push([name, isSecretName(name) ? REDACTED : value]);
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

// --- GPUs ---

const NVIDIA_SMI_ARGS = ['--query-gpu=name,memory.total,driver_version', '--format=csv,noheader'];

/** Never fails: no nvidia-smi, an error or a timeout all mean "no GPUs recorded". */
async function probeGpus(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<GpuInfo[]> {
  const smi = findOnPath('nvidia-smi', env);
  if (!smi) return [];
  return new Promise((done) => {
    execFile(smi, NVIDIA_SMI_ARGS, { env, timeout: timeoutMs, windowsHide: true }, (error, stdout) => {
      done(error ? [] : parseNvidiaSmi(String(stdout)));
    });
  });
}

/** Parses `name, memory.total, driver_version` lines (csv, noheader). */
export function parseNvidiaSmi(text: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 3) continue;
    // A comma inside the name is possible in principle; the last two fields are fixed.
    const driverVersion = fields.pop() as string;
    const memoryTotal = fields.pop() as string;
    gpus.push({ name: fields.join(', '), memoryTotal, driverVersion });
  }
  return gpus;
}

// --- packages ---

type Json = Record<string, unknown>;

/** The dependencies of the nearest package.json upward from `cwd`, with their installed versions. */
export function readPackages(cwd: string): PackagesInfo {
  const empty: PackagesInfo = { project: null, lockfile: null, lockfileSha256: null, dependencies: {}, devDependencies: {} };
  const projectDir = findUp(resolve(cwd), 'package.json');
  if (!projectDir) return empty;
  const manifest = readJson(join(projectDir, 'package.json'));
  if (!manifest) return { ...empty, project: { dir: projectDir, name: null, version: null } };
  const lock = findLock(projectDir);
  const versionsOf = (deps: unknown): Record<string, DependencyInfo> =>
    Object.fromEntries(
      Object.entries(asObject(deps))
        .filter((e): e is [string, string] => typeof e[1] === 'string')
        .map(([name, spec]) => [name, { spec, installed: moduleVersion(projectDir, name), locked: lock ? lockedVersion(lock, name) : null }]),
    );
  return {
    project: { dir: projectDir, name: stringOr(manifest.name), version: stringOr(manifest.version) },
    lockfile: lock?.path ?? null,
    lockfileSha256: lock?.sha256 ?? null,
    dependencies: versionsOf({ ...asObject(manifest.optionalDependencies), ...asObject(manifest.dependencies) }),
    devDependencies: versionsOf(manifest.devDependencies),
  };
}

interface FoundLock {
  path: string;
  lock: Json;
  sha256: string;
  /** The package's path inside a workspace root, with a trailing slash; '' at the root. */
  prefix: string;
}

/** The project's package-lock.json: its own, or that of a workspace root listing it as a member. */
function findLock(projectDir: string): FoundLock | undefined {
  const lockDir = findUp(projectDir, 'package-lock.json');
  const path = lockDir && join(lockDir, 'package-lock.json');
  const text = path && readText(path);
  const lock = text && parseJson(text);
  if (!lockDir || !path || !text || !lock) return undefined;
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (lockDir === projectDir) return { path, lock, sha256, prefix: '' };
  // A parent project's lock file describes another install, unless it has this package as a workspace.
  const member = relative(lockDir, projectDir).split(sep).join('/');
  return Object.hasOwn(asObject(lock.packages), member) ? { path, lock, sha256, prefix: `${member}/` } : undefined;
}

/** lockfileVersion 2/3 list `packages["<prefix>node_modules/<name>"]` (hoisted: no prefix); version 1 lists `dependencies`. */
function lockedVersion({ lock, prefix }: FoundLock, name: string): string | null {
  const packages = asObject(lock.packages);
  for (const key of [`${prefix}node_modules/${name}`, `node_modules/${name}`]) {
    const version = stringOr(asObject(packages[key]).version);
    if (version) return version;
  }
  return stringOr(asObject(asObject(lock.dependencies)[name]).version);
}

/** Node's own lookup: node_modules/<name>/package.json in the project dir or any parent. */
function moduleVersion(projectDir: string, name: string): string | null {
  for (let dir = projectDir; ; dir = dirname(dir)) {
    const manifest = readJson(join(dir, 'node_modules', name, 'package.json'));
    if (manifest) return stringOr(manifest.version);
    if (dirname(dir) === dir) return null;
  }
}

function findUp(start: string, file: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, file))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function readJson(path: string): Json | undefined {
  const text = readText(path);
  return text === undefined ? undefined : parseJson(text);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function parseJson(text: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function asObject(value: unknown): Json {
  return isObject(value) ? value : {};
}

function stringOr(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
