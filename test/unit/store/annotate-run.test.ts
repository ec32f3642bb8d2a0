import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noteRun, tagRun } from '../../../src/store/annotate-run.js';
import { errorOf } from '../../helpers/errors.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { writeRun } from './synthetic-runs.js';

const runJson = (dir: string) => JSON.parse(readFileSync(join(dir, '.trellis/run.json'), 'utf8')) as Record<string, unknown>;

describe('tagRun and noteRun rewrite run.json', () => {
  it.each([
    { name: 'tags are added once each, in order', act: (d: string) => tagRun(d, ['b', 'old', 'c', 'b']), tags: ['old', 'b', 'c'], notes: ['first'] },
    { name: 'tags are removed', act: (d: string) => tagRun(d, ['old', 'never'], { remove: true }), tags: [], notes: ['first'] },
    { name: 'a note is appended', act: (d: string) => noteRun(d, 'lr too high'), tags: ['old'], notes: ['first', 'lr too high'] },
    {
      name: 'the same note twice is kept twice',
      act: (d: string) => (noteRun(d, 'again'), noteRun(d, 'again')),
      tags: ['old'],
      notes: ['first', 'again', 'again'],
    },
  ])('$name', ({ act, tags, notes }) => {
    const dir = writeRun(join(tmpDir(), 'outputs/a'), { id: 'a', tags: ['old'], notes: ['first'] });
    const before = runJson(dir);
    expect(act(dir)).toEqual({ tags, notes, running: false, indexNotified: true });
    // Only tags and notes change; the lock and the temp file are gone.
    expect(runJson(dir)).toEqual({ ...before, tags, notes });
    expect(readdirSync(join(dir, '.trellis')).filter((f) => /lock|tmp/.test(f))).toEqual([]);
  });

  it('says when the run is still running (it may rewrite run.json without the change)', () => {
    const dir = writeRun(join(tmpDir(), 'outputs/a'), { id: 'a', status: 'running' });
    expect(tagRun(dir, ['x']).running).toBe(true);
  });

  it.each([
    { name: 'missing', text: undefined, message: /^Cannot read .*run\.json \(ENOENT\)$/ },
    { name: 'not JSON', text: '{"id": ', message: /run\.json is not a JSON object$/ },
    { name: 'not an object', text: '[1]', message: /run\.json is not a JSON object$/ },
  ])('rejects a run.json that is $name as RUN_RECORD_INVALID and releases the lock', ({ text, message }) => {
    const root = tmpDir({ 'outputs/a/.trellis/config.yaml': 'a: 1\n' });
    const dir = join(root, 'outputs/a');
    if (text !== undefined) writeFileSync(join(dir, '.trellis/run.json'), text);
    const e = errorOf(() => noteRun(dir, 'x'));
    expect(e.code).toBe('RUN_RECORD_INVALID');
    expect(e.message).toMatch(message);
    expect(readdirSync(join(dir, '.trellis')).filter((f) => f.includes('lock'))).toEqual([]);
  });
});
