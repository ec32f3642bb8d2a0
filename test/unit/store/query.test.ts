import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { openStore } from '../../../src/store/open-store.js';
import { parseQuery, parseSortKeys } from '../../../src/store/query-parse.js';
import { queryRuns } from '../../../src/store/query-runs.js';
import { errorOf } from '../../helpers/errors.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { ageTree, writeRun } from './synthetic-runs.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');

describe('query syntax errors point at the column', () => {
  it.each([
    { name: 'missing value at the end', query: 'optimizer.lr <', code: 'QUERY_SYNTAX', col: 15, message: 'Expected a value, got the end of the query' },
    {
      name: 'two conditions without and/or',
      query: 'a = 1 b = 2',
      code: 'QUERY_SYNTAX',
      col: 7,
      message: "Expected 'and', 'or' or the end of the query, got 'b'",
    },
    {
      name: 'unclosed parenthesis',
      query: '(a = 1',
      code: 'QUERY_SYNTAX',
      col: 7,
      message: "Expected ')' to close the '(' at column 1, got the end of the query",
    },
    { name: 'stray closing parenthesis', query: 'a = 1)', code: 'QUERY_SYNTAX', col: 6, message: "Expected 'and', 'or' or the end of the query, got ')'" },
    { name: 'operator without field', query: '= 1', code: 'QUERY_SYNTAX', col: 1, message: "Expected a field name, got '='" },
    { name: 'field without operator', query: 'a 1', code: 'QUERY_SYNTAX', col: 3, message: "Expected an operator after 'a', got '1'" },
    { name: 'unterminated string', query: "name = 'abc", code: 'QUERY_SYNTAX', col: 8, message: "Unterminated string: no closing '" },
    { name: 'lone bang', query: 'a ! b', code: 'QUERY_SYNTAX', col: 3, message: "Unexpected '!'" },
    { name: 'in without a list', query: 'x in 1', code: 'QUERY_SYNTAX', col: 6, message: "Expected '(' after 'in', got '1'" },
    { name: 'bad field name', query: '9lives = 1', code: 'QUERY_SYNTAX', col: 1, message: "'9lives' is not a field name" },
    { name: 'and without right side', query: 'a = 1 and', code: 'QUERY_SYNTAX', col: 10, message: 'Expected a field name, got the end of the query' },
    { name: 'unknown status', query: 'status = complete', code: 'QUERY_TYPE', col: 10, message: "Unknown status 'complete'" },
    { name: 'not a time', query: 'started > yesterdayx', code: 'QUERY_TYPE', col: 11, message: "'yesterdayx' is not a time" },
    {
      name: 'metric against text',
      query: 'metric.val_loss.min < abc',
      code: 'QUERY_TYPE',
      col: 23,
      message: "'metric.val_loss.min' is a metric: expected a number, got 'abc'",
    },
    { name: 'not a duration', query: 'duration > 5x', code: 'QUERY_TYPE', col: 12, message: "'5x' is not a duration" },
    {
      name: 'ordering a list',
      query: 'tags < 3',
      code: 'QUERY_TYPE',
      col: 1,
      message: "'tags' is a list: use = (has), != (has not), ~ (an item contains) or in",
    },
  ])('$name', ({ query, code, col, message }) => {
    const e = errorOf(() => parseQuery(query, NOW));
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
    expect(e.where).toMatchObject({ kind: 'file', file: 'query', line: 1, col, sourceLine: query });
  });

  it('reports every type problem of a query at once', () => {
    const e = errorOf(() => parseQuery('status = done and started > soon', NOW));
    expect(e.all().map((x) => [x.code, x.where?.kind === 'file' ? x.where.col : 0])).toEqual([
      ['QUERY_TYPE', 10],
      ['QUERY_TYPE', 29],
    ]);
  });

  it('suggests the closest status', () => {
    expect(errorOf(() => parseQuery('status = faild', NOW)).hint).toBe("did you mean 'failed'?");
  });

  it('rejects a sort key that is not a field, pointing at it', () => {
    const e = errorOf(() => parseSortKeys('id,-9x'));
    expect(e).toBeInstanceOf(TrellisError);
    expect(e.code).toBe('QUERY_SYNTAX');
    expect(e.where).toMatchObject({ col: 4 });
  });
});

/**
 * a1: adam, lr 0.01, val_loss min 0.1, tagged baseline, completed on 2026-11-20 in 5 s.
 * b2: sgd, lr 0.1, val_loss min 0.3, failed on 2026-10-01 after 120 s.
 * c3: adam, lr 0.001, still "running" with a heartbeat from a day ago (crashed); no summary.
 */
function threeRuns(): string {
  const root = tmpDir();
  writeRun(join(root, 'outputs/2026-11-20/10-00-00'), {
    id: '20261120-100000-aaaaaa',
    start: '2026-11-20T10:00:00.000Z',
    duration_s: 5,
    tags: ['baseline'],
    resolved: { optimizer: { name: 'adam', lr: 0.01 }, seed: 1, version: '1.0' },
    metrics: { val_loss: { last: 0.15, min: 0.1, max: 0.9 } },
  });
  writeRun(join(root, 'outputs/2026-10-01/09-00-00'), {
    id: '20261001-090000-bbbbbb',
    status: 'failed',
    start: '2026-10-01T09:00:00.000Z',
    duration_s: 120,
    resolved: { optimizer: { name: 'sgd', lr: 0.1, momentum: 0.9 }, seed: 1, version: '2.0' },
    metrics: { val_loss: { last: 0.3, min: 0.3, max: 0.7 } },
  });
  writeRun(join(root, 'multirun/2026-11-22/23-00-00/0'), {
    id: '20261122-230000-cccccc',
    status: 'running',
    start: '2026-11-22T11:00:00.000Z',
    heartbeat: '2026-11-22T11:00:05.000Z',
    tags: ['best', 'baseline-2'],
    sweep: { dir: 'multirun/2026-11-22/23-00-00', num: 0 },
    resolved: { optimizer: { name: 'adam', lr: 0.001 }, seed: 1, version: '1.0' },
  });
  return root;
}

const ids = (root: string, query: string, sort?: string, index = false) => {
  const store = openStore([], { cwd: root, now: NOW, index });
  const found = queryRuns(store, query, { cwd: root, sort: sort ?? 'id' }).runs.map((r) => r.id!.slice(-1));
  store.flush();
  return sort ? found : found.sort();
};

/** The same answers from the files, from an index the query itself builds, and from one built before. */
const INDEX_MODES = [
  { mode: 'without an index', ids: (query: string, sort?: string) => ids(threeRuns(), query, sort) },
  { mode: 'building the index', ids: (query: string, sort?: string) => ids(ageTree(threeRuns()), query, sort, true) },
  {
    mode: 'from the index',
    ids: (query: string, sort?: string) => {
      const root = ageTree(threeRuns());
      ids(root, query, sort, true);
      return ids(root, query, sort, true);
    },
  },
];

describe.each(INDEX_MODES)('query operators, $mode', ({ ids }) => {
  it.each([
    { name: 'empty query matches all', query: '', expected: ['a', 'b', 'c'] },
    { name: '= on a config string', query: 'optimizer.name = adam', expected: ['a', 'c'] },
    { name: '== is =', query: 'optimizer.name == adam', expected: ['a', 'c'] },
    { name: '!=', query: 'optimizer.name != adam', expected: ['b'] },
    { name: '<', query: 'optimizer.lr < 0.01', expected: ['c'] },
    { name: '<=', query: 'optimizer.lr <= 0.01', expected: ['a', 'c'] },
    { name: '>', query: 'optimizer.lr > 0.01', expected: ['b'] },
    { name: '>=', query: 'optimizer.lr >= 0.01', expected: ['a', 'b'] },
    { name: '~ is substring', query: 'optimizer.name ~ da', expected: ['a', 'c'] },
    { name: 'contains is ~', query: 'optimizer.name contains gd', expected: ['b'] },
    { name: '!~', query: 'optimizer.name !~ da', expected: ['b'] },
    { name: 'in', query: 'optimizer.name in (sgd, rmsprop)', expected: ['b'] },
    { name: 'quoted value is a string', query: "version = '1.0'", expected: ['a', 'c'] },
    { name: 'bare number against a string value compares as written', query: 'version = 2.0', expected: ['b'] },
    { name: 'missing key equals null', query: 'optimizer.momentum = null', expected: ['a', 'c'] },
    { name: 'missing key is != anything', query: 'optimizer.momentum != 0.9', expected: ['a', 'c'] },
    { name: 'metric min', query: 'val_loss.min < 0.25', expected: ['a'] },
    { name: 'metric last', query: 'val_loss.last >= 0.15', expected: ['a', 'b'] },
    { name: 'metric max with explicit namespace', query: 'metric.val_loss.max > 0.8', expected: ['a'] },
    { name: 'metric name alone is its last value', query: 'val_loss < 0.2', expected: ['a'] },
    { name: 'status (a stale heartbeat reads as crashed)', query: 'status = crashed', expected: ['c'] },
    { name: 'status in', query: 'status in (failed, crashed)', expected: ['b', 'c'] },
    { name: 'tags = has the tag', query: 'tags = baseline', expected: ['a'] },
    { name: 'tag ~ an item contains', query: 'tag ~ baseline', expected: ['a', 'c'] },
    { name: 'tags != has not', query: 'tags != baseline', expected: ['b', 'c'] },
    { name: 'relative date', query: 'started > -7d', expected: ['a', 'c'] },
    { name: 'relative hours', query: 'started > -36h', expected: ['c'] },
    { name: 'ISO date', query: 'started < 2026-11-01', expected: ['b'] },
    { name: 'a date alone covers its day', query: 'started = 2026-11-20', expected: ['a'] },
    { name: 'duration with a unit', query: 'duration > 1m', expected: ['b'] },
    { name: 'error message', query: 'error ~ NaN', expected: ['b'] },
    { name: 'sweep job number', query: 'job = 0', expected: ['c'] },
    { name: 'not', query: 'not optimizer.name = adam', expected: ['b'] },
    { name: 'and with not', query: 'optimizer.name = adam and not tags = baseline', expected: ['c'] },
    { name: 'parentheses', query: '(optimizer.name = sgd or val_loss.min < 0.2) and status != failed', expected: ['a'] },
    { name: 'and binds tighter than or', query: 'optimizer.name = sgd or optimizer.name = adam and tags = baseline', expected: ['a', 'b'] },
    { name: 'keywords are case-insensitive', query: 'optimizer.name = sgd OR NOT status = crashed', expected: ['a', 'b'] },
  ])('$name', ({ query, expected }) => {
    expect(ids(query)).toEqual(expected);
  });

  it.each([
    { name: 'descending config value', sort: '-optimizer.lr', expected: ['b', 'a', 'c'] },
    { name: 'ascending metric, missing last', sort: 'val_loss.min', expected: ['a', 'b', 'c'] },
    { name: 'descending metric, missing still last', sort: 'val_loss.min:desc', expected: ['b', 'a', 'c'] },
    { name: 'newest first', sort: '-started', expected: ['c', 'a', 'b'] },
    { name: 'two keys', sort: 'optimizer.name,-optimizer.lr', expected: ['a', 'c', 'b'] },
  ])('sort: $name', ({ sort, expected }) => {
    expect(ids('', sort)).toEqual(expected);
  });
});

describe('query results', () => {
  it('picks the first few of many as sorting them all would, ties included', () => {
    const root = tmpDir();
    for (let i = 0; i < 40; i++) {
      writeRun(join(root, `outputs/r${String(i).padStart(2, '0')}`), {
        id: `r${i}`,
        metrics: { val_loss: { last: (i * 7) % 5, min: (i * 7) % 5, max: 1 } },
        status: i % 9 === 0 ? 'running' : 'completed',
      });
    }
    const store = openStore([], { cwd: root, now: NOW, index: false });
    for (const sort of ['val_loss.min', '-val_loss.min', 'status,-val_loss.last']) {
      const all = queryRuns(store, '', { cwd: root, sort }).runs.map((r) => r.id);
      for (const limit of [0, 1, 3]) expect(queryRuns(store, '', { cwd: root, sort, limit }).runs.map((r) => r.id)).toEqual(all.slice(0, limit));
    }
  });

  it('limits after sorting and counts every match', () => {
    const store = openStore([], { cwd: threeRuns(), now: NOW, index: false });
    const r = queryRuns(store, 'optimizer.name = adam', { sort: '-started', limit: 1 });
    expect(r.runs.map((x) => x.id)).toEqual(['20261122-230000-cccccc']);
    expect(r.matched).toBe(2);
  });
});
