#!/usr/bin/env node
/**
 * trellis benchmarks: `npm run bench` (builds first), or `node bench/run.mjs [options]` against
 * an existing dist/.
 *
 *   --quick            fewer repetitions (a smoke test; figures are noisier)
 *   --only a,b         run only these cases (cli, compose, multirun, metrics, command, sweep, store, tensorboard, instantiate, hydra, tpe, prune, pbt, completion, growth, ui)
 *   --write-readme     replace the results table in bench/README.md with this run's
 *   --json PATH        where to write the results (default bench/results.json)
 *   --also-node PATH   run the same cases again under another Node (for example Node 24 beside
 *                      the machine's Node 20) and print its rows too, marked with its version
 *
 * Every figure is the median of several repetitions, next to a baseline measured in the same run
 * on the same machine. See bench/README.md for what each case measures and its target.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR, CLI, ROOT } from './lib/util.mjs';

const CASES = [
  'cli',
  'compose',
  'multirun',
  'metrics',
  'command',
  'sweep',
  'store',
  'tensorboard',
  'instantiate',
  'hydra',
  'tpe',
  'prune',
  'pbt',
  'completion',
  'growth',
  'ui',
];

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'write-readme': { type: 'boolean', default: false },
    json: { type: 'string', default: join(BENCH_DIR, 'results.json') },
    'also-node': { type: 'string' },
  },
});

if (!existsSync(CLI)) {
  console.error(`bench: ${CLI} not found; run \`npm run build\` first (npm run bench does)`);
  process.exit(1);
}

const settings = opts.quick ? { reps: 3, multirunReps: 1, quick: true } : { reps: 11, multirunReps: 3, quick: false };
const selected = opts.only ? opts.only.split(',').map((s) => s.trim()) : CASES;
for (const name of selected) if (!CASES.includes(name)) throw new Error(`unknown case ${name}; cases: ${CASES.join(', ')}`);

// ---------------------------------------------------------------- formatting

function fmtNumber(v, unit) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (unit === 'scalars/s') return `${(v / 1e6).toFixed(2)} M/s`;
  if (unit === 'lines/s') return `${Math.round(v / 1000).toLocaleString('en-US')}k lines/s`;
  if (unit === 'MB') return `${v.toFixed(1)} MB`;
  if (unit === 'ms' || unit === 'ms/job') {
    const digits = v < 1 ? 3 : v < 10 ? 2 : v < 100 ? 1 : 0;
    return `${v.toFixed(digits)} ${unit}`;
  }
  return `${v.toPrecision(3)} ${unit}`.trim();
}

function cells(r) {
  return [
    r.name,
    r.value === null ? 'n/a' : fmtNumber(r.value, r.unit),
    r.baseline === null ? '–' : fmtNumber(r.baseline, r.baselineUnit),
    r.ratio === null ? '–' : `${r.ratio < 0.1 ? r.ratio.toFixed(3) : r.ratio.toFixed(2)}×`,
    r.target,
    r.pass === true ? 'pass' : r.pass === false ? 'MISS' : r.value === null ? 'not available' : '–',
  ];
}

const HEADER = ['figure', 'value', 'baseline', 'ratio', 'target', 'result'];

function textTable(rows) {
  const body = rows.map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((c) => c[i].length)));
  const right = new Set([1, 2, 3]);
  const line = (c) =>
    c
      .map((x, i) => (right.has(i) ? x.padStart(widths[i]) : x.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(HEADER), line(widths.map((w) => '─'.repeat(w))), ...body.map(line)].join('\n');
}

function markdownTable(rows) {
  const esc = (s) => s.replaceAll('|', '\\|');
  const lines = [`| ${HEADER.join(' | ')} | baseline is | note |`, `| --- | ---: | ---: | ---: | --- | --- | --- | --- |`];
  for (const r of rows) lines.push(`| ${[...cells(r), r.baselineName, r.note].map(esc).join(' | ')} |`);
  return lines.join('\n');
}

// ---------------------------------------------------------------- run

function gitCommit() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return `${commit}${dirty ? '+dirty' : ''}`;
  } catch {
    return null;
  }
}

const machine = {
  node: process.version,
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
  cpu: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.availableParallelism?.() ?? os.cpus().length}`,
  memoryGB: Math.round(os.totalmem() / 2 ** 30),
  /** 1-minute load average when the bench started: other work on the machine inflates absolute times (ratios less so). */
  loadAverage: Number(os.loadavg()[0].toFixed(2)),
};

const started = performance.now();
const rows = [];
for (const name of selected) {
  const mod = await import(`./cases/${name}.mjs`);
  const t0 = performance.now();
  process.stderr.write(`bench: ${mod.title} …`);
  try {
    const result = await mod.run(settings);
    rows.push(...result);
    process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    process.stderr.write(` failed\n${error instanceof Error ? error.stack : String(error)}\n`);
    rows.push({
      id: `${name}.error`,
      name: `${mod.title}: benchmark failed`,
      value: null,
      unit: '',
      baseline: null,
      baselineName: '',
      baselineUnit: '',
      ratio: null,
      target: '',
      pass: false,
      note: String(error instanceof Error ? error.message : error).split('\n')[0],
    });
  }
}
// The same cases under another Node, in a child run of this script; its rows are marked with its version.
if (opts['also-node']) {
  const other = opts['also-node'];
  const version = execFileSync(other, ['--version'], { encoding: 'utf8' }).trim();
  const json = join(os.tmpdir(), `trellis-bench-${process.pid}-${version}.json`);
  process.stderr.write(`bench: the same cases on Node ${version}\n`);
  const args = [join(BENCH_DIR, 'run.mjs'), '--only', selected.join(','), '--json', json, ...(opts.quick ? ['--quick'] : [])];
  execFileSync(other, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const theirs = JSON.parse(readFileSync(json, 'utf8')).rows;
  rmSync(json, { force: true });
  rows.push(...theirs.map((r) => ({ ...r, id: `${r.id}@${version}`, name: `${r.name} [Node ${version}]` })));
  machine.alsoNode = version;
}
const seconds = (performance.now() - started) / 1000;
const nodes = machine.alsoNode ? `${machine.node} and ${machine.alsoNode}` : machine.node;

const results = { date: new Date().toISOString(), commit: gitCommit(), machine, settings, durationSeconds: Number(seconds.toFixed(1)), rows };
writeFileSync(opts.json, `${JSON.stringify(results, null, 2)}\n`);

console.log(`\ntrellis benchmarks — ${machine.cpu}, ${machine.memoryGB} GB, Node ${nodes}, ${results.commit ?? 'no git'}, load ${machine.loadAverage}\n`);
console.log(textTable(rows));
const notes = rows.filter((r) => r.note);
if (notes.length) {
  console.log('\nnotes:');
  for (const r of notes) console.log(`  ${r.name}: ${r.note}${r.baselineName ? `  [baseline: ${r.baselineName}]` : ''}`);
}
const misses = rows.filter((r) => r.pass === false);
console.log(
  `\n${rows.filter((r) => r.pass === true).length} pass, ${misses.length} miss, ${rows.filter((r) => r.pass === null).length} without a target or not available; ${seconds.toFixed(0)} s; results in ${opts.json}`,
);

if (opts['write-readme']) {
  const readme = join(BENCH_DIR, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:results:start -->';
  const end = '<!-- bench:results:end -->';
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`bench/README.md has no ${start} … ${end} block`);
  const block = `${start}\n${machine.cpu}, ${machine.memoryGB} GB, Node ${nodes}, ${machine.platform}; commit ${results.commit ?? '?'}; \`npm run bench\` took ${seconds.toFixed(0)} s; load average ${machine.loadAverage} at start.\n\n${markdownTable(rows)}\n${end}`;
  writeFileSync(readme, text.slice(0, i) + block + text.slice(j + end.length));
  console.log('bench/README.md updated');
}
