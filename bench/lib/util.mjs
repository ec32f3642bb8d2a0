/** Shared helpers: paths, timing of spawned processes, statistics, temp dirs. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(BENCH_DIR, '..');
export const DIST = join(ROOT, 'dist');
/** The CLI under test; TRELLIS_BENCH_CLI points the bench at another build (to compare two). */
export const CLI = process.env.TRELLIS_BENCH_CLI ? resolve(process.env.TRELLIS_BENCH_CLI) : join(DIST, 'bundle', 'bin.js');
export const NODE = process.execPath;

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs a command once; returns wall time in ms (process.hrtime.bigint around spawnSync) and its output. */
export function timeSpawn(args, { cwd = ROOT, env = process.env, input, timeout = 120_000 } = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(args[0], args.slice(1), { cwd, env, input, encoding: 'utf8', timeout, maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error) throw r.error;
  return { ms, status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Like timeSpawn but throws with the command's stderr when it exits non-zero. */
export function timeSpawnOk(args, options) {
  const r = timeSpawn(args, options);
  if (r.status !== 0) {
    throw new Error(`\`${args.join(' ')}\` exited ${r.status ?? r.signal}:\n${(r.stderr || r.stdout).slice(0, 2000)}`);
  }
  return r;
}

/**
 * Measures several commands `reps` times, interleaved (a, b, a, b, …) so that drift in machine
 * load hits every command alike; `warmup` unmeasured rounds first. Returns ms samples per name.
 */
export function interleave(commands, { reps, warmup = 1 }) {
  const samples = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < warmup + reps; i++) {
    for (const [name, run] of Object.entries(commands)) {
      const ms = run();
      if (i >= warmup) samples[name].push(ms);
    }
  }
  return samples;
}

/** Runs a probe script (bench/probes/*.mjs) in a fresh Node process; it prints one JSON object. */
export function probe(script, args = [], { cwd = ROOT, env = process.env, nodeArgs = [] } = {}) {
  const r = timeSpawnOk([NODE, ...nodeArgs, join(BENCH_DIR, 'probes', script), ...args], { cwd, env });
  const last = r.stdout.trim().split('\n').at(-1);
  return JSON.parse(last);
}

export function tempDir(prefix) {
  return mkdtempSync(join(tmpdir(), `trellis-bench-${prefix}-`));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** A row of the results table. */
export function row(fields) {
  return {
    id: fields.id,
    name: fields.name,
    value: fields.value ?? null,
    unit: fields.unit ?? '',
    baseline: fields.baseline ?? null,
    baselineName: fields.baselineName ?? '',
    baselineUnit: fields.baselineUnit ?? fields.unit ?? '',
    ratio: fields.ratio ?? (fields.value != null && fields.baseline ? fields.value / fields.baseline : null),
    target: fields.target ?? '',
    pass: fields.pass ?? null,
    note: fields.note ?? '',
    samples: fields.samples ?? undefined,
  };
}
