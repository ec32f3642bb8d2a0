/**
 * Synthetic run directories with realistic records (the shapes run-job.ts writes), for store
 * unit tests that need many runs or runs that differ in one record only.
 */
import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromPlain } from '../../../src/tree/node.js';
import { toYamlText } from '../../../src/tree/emit.js';

export interface SyntheticRun {
  id: string;
  status?: string;
  start?: string;
  end?: string | null;
  heartbeat?: string;
  duration_s?: number | null;
  overrides?: string[];
  tags?: string[];
  notes?: string[];
  sweep?: { dir: string; num: number } | null;
  config?: Record<string, unknown>;
  resolved?: Record<string, unknown>;
  choices?: Record<string, unknown>;
  provenance?: Record<string, unknown>;
  defaults?: unknown[];
  seeds?: { master: number; derived: Record<string, number> };
  env?: Record<string, unknown>;
  /** program.json (command jobs); none is written without it. */
  program?: unknown;
  /** run.json `command` (command jobs). */
  command?: Record<string, unknown>;
  cwd?: string;
  /** run.json `entry` and `config_dir` (default: app.mjs and conf, relative to cwd). */
  entry?: string;
  configDir?: string;
  git?: Record<string, unknown>;
  gitDiff?: string;
  inputs?: unknown[];
  metrics?: Record<string, { last: number; min: number; max: number; count?: number }>;
  /** The text of metrics.jsonl; none is written without it. */
  metricsJsonl?: string;
  result?: unknown;
  /** Leave these records out. */
  omit?: string[];
}

export const BASE_ENV = {
  runtime: { node: process.versions.node, v8: process.versions.v8, typescript: null, platform: 'linux', arch: 'x64', execPath: '/usr/bin/node' },
  os: { type: 'Linux', release: '6.18.44', version: '#1 SMP', hostname: 'vm' },
  cpu: { model: 'Intel(R) Xeon(R) Processor', count: 2, availableParallelism: 2 },
  memory: { totalBytes: 25276502016 },
  gpus: [],
  packages: {
    project: { dir: '/p', name: 'iris', version: '0.1.0' },
    lockfile: '/p/package-lock.json',
    dependencies: { zod: { spec: '^4.6.7', installed: '4.6.7' } },
    devDependencies: {},
  },
  invocation: { cwd: '/p', argv: [] },
  env: { LANG: 'C.UTF-8' },
};

export function writeRun(dir: string, r: SyntheticRun): string {
  const t = join(dir, '.trellis');
  mkdirSync(t, { recursive: true });
  const omit = new Set(r.omit ?? []);
  const put = (file: string, text: string) => {
    if (!omit.has(file)) writeFileSync(join(t, file), text);
  };
  const status = r.status ?? 'completed';
  const start = r.start ?? '2026-11-20T10:00:00.000Z';
  const resolved = r.resolved ?? { optimizer: { name: 'adam', lr: 0.01 }, seed: 1 };
  put(
    'run.json',
    JSON.stringify({
      id: r.id,
      name: 'train',
      status,
      start,
      end: r.end === undefined ? (status === 'running' ? null : '2026-11-20T10:00:05.000Z') : r.end,
      duration_s: r.duration_s === undefined ? (status === 'running' ? null : 5) : r.duration_s,
      exit_code: status === 'completed' ? 0 : status === 'failed' ? 1 : null,
      error: status === 'failed' ? { type: 'Error', message: 'loss is NaN', stack: 'Error: loss is NaN' } : null,
      host: 'vm',
      pid: 1,
      argv: r.overrides ?? [],
      cwd: r.cwd ?? '/p',
      entry: r.entry ?? 'app.mjs',
      config_dir: r.configDir ?? 'conf',
      config_name: 'config',
      overrides: r.overrides ?? [],
      sweep: r.sweep ?? null,
      reproduces: null,
      heartbeat: r.heartbeat ?? start,
      heartbeat_interval_s: 5,
      tags: r.tags ?? [],
      notes: r.notes ?? [],
      artifacts: [],
      ...(r.command ? { command: r.command } : {}),
    }),
  );
  put('config.yaml', toYamlText(fromPlain(r.config ?? resolved)));
  put('resolved.yaml', toYamlText(fromPlain(resolved)));
  put('overrides.yaml', toYamlText(fromPlain(r.overrides ?? [])));
  put('choices.yaml', toYamlText(fromPlain(r.choices ?? { optimizer: 'adam' })));
  put('provenance.json', JSON.stringify(r.provenance ?? {}));
  put(
    'defaults.json',
    JSON.stringify(
      r.defaults ?? [
        { config: 'optimizer/adam', package: 'optimizer', parent: 'config' },
        { config: 'config', package: '', parent: null },
      ],
    ),
  );
  put('seeds.json', JSON.stringify(r.seeds ?? { master: 1, derived: { init: 7 } }));
  put('env.json', JSON.stringify(r.env ?? BASE_ENV));
  if (r.program !== undefined) put('program.json', JSON.stringify(r.program));
  put(
    'git.json',
    JSON.stringify(
      r.git ?? {
        available: true,
        root: '/p',
        commit: 'a'.repeat(40),
        branch: 'main',
        remote: null,
        dirty: false,
        untracked: [],
        untrackedTruncated: false,
        diffBytes: 0,
        diffTruncated: false,
      },
    ),
  );
  if (r.gitDiff) put('git.diff', r.gitDiff);
  put('inputs.json', JSON.stringify(r.inputs ?? []));
  const metrics = Object.fromEntries(
    Object.entries(r.metrics ?? { val_loss: { last: 0.5, min: 0.4, max: 0.9 } }).map(([k, m]) => [
      k,
      { last: m.last, last_step: 3, min: m.min, min_step: 2, max: m.max, max_step: 1, count: m.count ?? 3 },
    ]),
  );
  if (status !== 'running') put('summary.json', JSON.stringify({ metrics, result: r.result ?? null }));
  if (r.metricsJsonl !== undefined) put('metrics.jsonl', r.metricsJsonl);
  return dir;
}

/**
 * Dates everything under `root` a minute back, so an index may keep it (entries modified in the
 * last seconds are not cached, since a write in the same mtime tick would go unseen).
 */
export function ageTree(root: string): string {
  const old = new Date(Date.now() - 60_000);
  const visit = (path: string) => {
    for (const e of readdirSync(path, { withFileTypes: true })) if (e.isDirectory()) visit(join(path, e.name));
    for (const e of readdirSync(path)) utimesSync(join(path, e), old, old);
  };
  visit(root);
  utimesSync(root, old, old);
  return root;
}

/** An index file's sections, parsed; throws unless its size is what its header says and every section parses. */
export function readIndexSections(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'latin1');
  const body = text.indexOf('\n') + 1;
  const header = JSON.parse(text.slice(0, body)) as { sections: Record<string, [number, number]>; bytes: number };
  if (text.length - body !== header.bytes) throw new Error(`${path}: ${text.length - body} bytes after the header, which says ${header.bytes}`);
  return Object.fromEntries(Object.entries(header.sections).map(([name, [at, length]]) => [name, JSON.parse(text.slice(body + at, body + at + length))]));
}
