/**
 * The run query language and the record readers: a value or a TrellisError, in bounded time.
 * Records are real runs (as the store tests write them) with files truncated, corrupted or
 * replaced by hostile JSON.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { readRunRecord } from '../../src/records/run-record.js';
import { readSweepRecord } from '../../src/records/sweep-record.js';
import { summarizeMetricsFile } from '../../src/run/metrics.js';
import { openStore } from '../../src/store/open-store.js';
import { queryRuns } from '../../src/store/query-runs.js';
import { readRunState } from '../../src/store/stored-run.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { writeRun } from '../unit/store/synthetic-runs.js';
import { HOSTILE_NUMBERS, assembled, check, timeoutFor } from './harness.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');

const QUERY_PIECES = [
  'status',
  'tags',
  'started',
  'duration',
  'optimizer.lr',
  'optimizer.name',
  'val_loss.min',
  'metric.val_loss.last',
  'config.seed',
  'result.x',
  'nope.x',
  '9x',
  ' = ',
  ' == ',
  ' != ',
  ' < ',
  ' <= ',
  ' > ',
  ' >= ',
  ' ~ ',
  ' !~ ',
  ' contains ',
  ' in ',
  ' and ',
  ' or ',
  'not ',
  '(',
  ')',
  ', ',
  'completed',
  'failed',
  'adam',
  "'a b'",
  '"x',
  '-30d',
  '-5mo',
  'today',
  '2026-11-01',
  '2026-13-45T99:99',
  '90s',
  '5m',
  'null',
  'true',
  ...HOSTILE_NUMBERS,
];

const RUN_FILES = ['run.json', 'summary.json', 'metrics.jsonl', 'resolved.yaml', 'config.yaml'] as const;

/** JSON that a reader might not expect: wrong types, prototype keys, deep nesting, huge numbers. */
const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .dictionary(
      fc.constantFrom(
        'id',
        'status',
        'start',
        'end',
        'tags',
        'notes',
        'sweep',
        'metrics',
        'jobs',
        'format_version',
        '__proto__',
        'constructor',
        'error',
        'result',
      ),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('NaN', 'Infinity', 1e308, -1, 99, null, [], {}, '__proto__')),
    )
    .map((o) => JSON.stringify(o)),
  fc.integer({ min: 1, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 20_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
);

/** What happens to one record file. */
const mutation = fc.oneof(
  fc.constant({ kind: 'keep' as const }),
  fc.constant({ kind: 'delete' as const }),
  fc.double({ min: 0, max: 1, noNaN: true }).map((at) => ({ kind: 'truncate' as const, at })),
  hostileJson.map((text) => ({ kind: 'replace' as const, text })),
  fc.string({ maxLength: 40, unit: 'binary' }).map((text) => ({ kind: 'replace' as const, text })),
  fc.array(fc.oneof(hostileJson, fc.constant('{"step": 1, "time": 0, "loss": "NaN"}'), fc.constant('')), { maxLength: 4 }).map((lines) => ({
    kind: 'replace' as const,
    text: lines.join('\n'),
  })),
);

type Mutation = { kind: 'keep' } | { kind: 'delete' } | { kind: 'truncate'; at: number } | { kind: 'replace'; text: string };

function apply(file: string, m: Mutation, original: string): void {
  if (m.kind === 'keep') writeFileSync(file, original);
  else if (m.kind === 'delete') rmSync(file, { force: true });
  else if (m.kind === 'truncate') writeFileSync(file, original.slice(0, Math.floor(original.length * m.at)));
  else writeFileSync(file, m.text);
}

describe('fuzz: store', () => {
  it('parse and evaluate any query', { timeout: timeoutFor('query') }, () => {
    const root = tmpDir();
    writeRun(join(root, 'r1'), { id: 'r1', tags: ['best'], metricsJsonl: '{"step":0,"time":1,"val_loss":0.5}\n' });
    writeRun(join(root, 'r2'), { id: 'r2', status: 'failed' });
    const store = openStore([root], { index: false, now: NOW, cwd: root });
    const deep = fc
      .tuple(fc.constantFrom('(', 'not ', 'tags = best and ', 'status = failed or '), fc.integer({ min: 1, max: 5_000 }))
      .map(([piece, n]) => `${piece.repeat(n)}status = completed${piece === '(' ? ')'.repeat(n) : ''}`);
    const query = fc.oneof(
      { weight: 12, arbitrary: assembled(QUERY_PIECES, 16) },
      { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 1, arbitrary: deep },
    );
    const sort = fc.oneof(fc.constant(undefined), assembled(['started', '-duration', 'val_loss.min:desc', ',', ':asc', 'x', ' '], 4));
    check('query', fc.tuple(query, sort), ([q, s]) => queryRuns(store, q, { sort: s, cwd: root }));
  });

  it('read any damaged run and sweep records', { timeout: timeoutFor('records') }, () => {
    const root = tmpDir();
    const run = join(root, 'run');
    writeRun(run, { id: 'r1', metricsJsonl: '{"step":0,"time":1,"loss":0.5}\n{"step":1,"time":2,"loss":"NaN"}\n' });
    const sweep = join(root, 'sweep');
    writeRun(sweep, { id: 's', omit: RUN_FILES.slice() });
    const records = join(run, '.trellis');
    const originals = Object.fromEntries(RUN_FILES.map((f) => [f, readFileSync(join(records, f), 'utf8')]));
    const sweepJson = JSON.stringify({ format_version: 2, strategy: 'grid', jobs: [{ num: 0, overrides: ['x=1'], status: 'completed' }] });
    const input = fc.record({ run: fc.tuple(...RUN_FILES.map(() => mutation)), sweep: mutation });
    check('records', input, (m) => {
      RUN_FILES.forEach((f, i) => apply(join(records, f), m.run[i] as Mutation, originals[f] as string));
      apply(join(sweep, '.trellis', 'sweep.json'), m.sweep, sweepJson);
      readRunRecord(run);
      readRunState(run);
      try {
        summarizeMetricsFile(join(records, 'metrics.jsonl'));
      } catch (e) {
        // A deleted file is an error the caller handles; anything else must be a TrellisError.
        if (m.run[2].kind !== 'delete') throw e;
      }
      const store = openStore([root], { index: false, now: NOW, cwd: root });
      queryRuns(store, 'status != running or optimizer.lr > 0 or loss.min < 1 or tags = best or result.x = 1', { sort: '-started,loss.last', cwd: root });
      for (const r of store.runs) r.configAt(['optimizer', 'lr']);
      readSweepRecord(sweep);
    });
  });
});
